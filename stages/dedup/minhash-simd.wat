;; MinHash inner loop with 128-bit SIMD. Compiled to the bytes in minhash-simd.ts
;; (node /tmp tooling: wabt's wat2wasm --enable-simd); kept here so the bytes can be checked.
;;
;; minhash(coef, sig, groups, shingles, n): for each group of 8 permutations, coefficient block
;; at coef + 96*g holds A[8] B[8] C[8] as u32; sig + 32*g receives the 8 minima over the n
;; shingles at `shingles` (pairs lo, hi of u32) of (A*lo + B*hi + C) mod 2^32, unsigned.
(module
  (memory (export "memory") 1)
  (func (export "minhash") (param $coef i32) (param $sig i32) (param $groups i32) (param $sh i32) (param $n i32)
    (local $g i32) (local $p i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $c0 v128) (local $c1 v128)
    (local $m0 v128) (local $m1 v128) (local $lo v128) (local $hi v128)
    (local.set $end (i32.add (local.get $sh) (i32.shl (local.get $n) (i32.const 3))))
    (block $groups_done
      (loop $groups_loop
        (br_if $groups_done (i32.ge_u (local.get $g) (local.get $groups)))
        (local.set $a0 (v128.load offset=0 (local.get $coef)))
        (local.set $a1 (v128.load offset=16 (local.get $coef)))
        (local.set $b0 (v128.load offset=32 (local.get $coef)))
        (local.set $b1 (v128.load offset=48 (local.get $coef)))
        (local.set $c0 (v128.load offset=64 (local.get $coef)))
        (local.set $c1 (v128.load offset=80 (local.get $coef)))
        (local.set $m0 (v128.const i32x4 -1 -1 -1 -1))
        (local.set $m1 (v128.const i32x4 -1 -1 -1 -1))
        (local.set $p (local.get $sh))
        (block $shingles_done
          (loop $shingles_loop
            (br_if $shingles_done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $lo (i32x4.splat (i32.load offset=0 (local.get $p))))
            (local.set $hi (i32x4.splat (i32.load offset=4 (local.get $p))))
            (local.set $m0 (i32x4.min_u (local.get $m0)
              (i32x4.add (i32x4.add (i32x4.mul (local.get $lo) (local.get $a0)) (i32x4.mul (local.get $hi) (local.get $b0))) (local.get $c0))))
            (local.set $m1 (i32x4.min_u (local.get $m1)
              (i32x4.add (i32x4.add (i32x4.mul (local.get $lo) (local.get $a1)) (i32x4.mul (local.get $hi) (local.get $b1))) (local.get $c1))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $shingles_loop)))
        (v128.store offset=0 (local.get $sig) (local.get $m0))
        (v128.store offset=16 (local.get $sig) (local.get $m1))
        (local.set $sig (i32.add (local.get $sig) (i32.const 32)))
        (local.set $coef (i32.add (local.get $coef) (i32.const 96)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $groups_loop))))
)
