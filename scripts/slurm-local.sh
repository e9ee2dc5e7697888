#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, for the Slurm executor's integration tests.
#   scripts/slurm-local.sh start   installs slurm-wlm and munge from Debian if absent, starts them
#   scripts/slurm-local.sh stop    stops the daemons
# There is no systemd here: the daemons are started directly. cgroup plugins break jobs silently
# in containers, so process tracking is linuxproc and there is no task plugin.
set -euo pipefail

conf_dir=/etc/slurm
state=/var/spool/slurm
log_dir=/var/log/slurm

install() {
  if command -v sbatch >/dev/null && command -v slurmctld >/dev/null && command -v munged >/dev/null; then return; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
}

write_config() {
  local host cpus memory
  host=$(hostname -s)
  cpus=$(nproc)
  # RealMemory must not exceed what slurmd detects, or the node is drained.
  memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  memory=$((memory * 9 / 10))
  mkdir -p "$conf_dir" "$state/ctld" "$state/d" "$log_dir"
  cat >"$conf_dir/slurm.conf" <<CONF
ClusterName=kiln-local
SlurmctldHost=$host
AuthType=auth/munge
# A requeued job waits cred_expire + 1 s before it may start again (120 s by default); 30 s keeps
# the requeue test short and still leaves job steps ample time to launch.
AuthInfo=cred_expire=30
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
DependencyParameters=kill_invalid_depend
DefMemPerCPU=1024
MaxArraySize=1001
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
SlurmUser=root
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
InactiveLimit=0
KillWait=5
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  rm -f "$conf_dir/cgroup.conf"
}

start_munge() {
  mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  if ! pgrep -x munged >/dev/null; then
    if id munge >/dev/null 2>&1; then runuser -u munge -- /usr/sbin/munged; else /usr/sbin/munged --force; fi
  fi
}

start() {
  install
  write_config
  start_munge
  local host
  host=$(hostname -s)
  for _ in $(seq 1 60); do
    pgrep -x slurmctld >/dev/null || slurmctld
    pgrep -x slurmd >/dev/null || slurmd || true
    scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true
    if timeout 10 srun -N1 -t 1 true >/dev/null 2>&1; then
      echo "slurm-local: ready ($(sinfo -h -o '%D node(s), %c CPUs, %m MB' 2>/dev/null))"
      return 0
    fi
    sleep 1
  done
  echo "slurm-local: the cluster did not become ready; see $log_dir" >&2
  tail -n 20 "$log_dir/slurmctld.log" "$log_dir/slurmd.log" >&2 || true
  return 1
}

stop() {
  local name
  for name in slurmd slurmctld munged; do
    pkill -x "$name" || true
    # Wait for it to exit, or a start right after a stop sees it and skips starting it.
    for _ in $(seq 1 50); do pgrep -x "$name" >/dev/null || break; sleep 0.2; done
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
