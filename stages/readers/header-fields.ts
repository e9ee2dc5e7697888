/**
 * Named header fields (WARC or HTTP); lookup ignores case. Repeated fields keep every value.
 * A header has a dozen fields and a reader asks for a few, so lookups scan the entries: cheaper
 * per record than building an index.
 */
export class HeaderFields {
  constructor(readonly entries: ReadonlyArray<readonly [string, string]>) {}

  /** The first value of the field, or undefined. */
  get(name: string): string | undefined {
    for (const [field, value] of this.entries) if (sameName(field, name)) return value;
    return undefined;
  }

  getAll(name: string): string[] {
    return this.entries.filter(([field]) => sameName(field, name)).map(([, value]) => value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Lower-cased names; repeated fields joined with ", ", in the order each name first appears. */
  toObject(): Record<string, string> {
    const joined = new Map<string, string>();
    for (const [field, value] of this.entries) {
      const key = field.toLowerCase();
      const before = joined.get(key);
      joined.set(key, before === undefined ? value : `${before}, ${value}`);
    }
    return Object.fromEntries(joined);
  }
}

function sameName(field: string, name: string): boolean {
  return field.length === name.length && (field === name || field.toLowerCase() === name.toLowerCase());
}
