import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What oidc-provider hands its adapter: one model instance (a session, a grant, a code...) as JSON. */
export type StoredPayload = Record<string, unknown> & {
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
};

interface Entry {
  payload: StoredPayload;
  /** Milliseconds since the epoch; absent when oidc-provider gave no lifetime. */
  expiresAt?: number;
}

const MODEL_NAME = /^[A-Za-z]+$/;
const MODEL_FILE = /^[A-Za-z]+\.json$/;
const isLive = (entry: Entry, now: number) => entry.expiresAt === undefined || entry.expiresAt > now;

/**
 * One model's entries, held in memory and mirrored to `<Model>.json`. Every change is written whole to a
 * temporary file that is then renamed over the old one, so the file is always one complete state.
 */
class ModelFile {
  readonly #file: string;
  readonly #entries = new Map<string, Entry>();
  /** A write that has not started yet: every change made before it starts is in it. */
  #queued: Promise<void> | undefined;
  /** The last write started or queued: writes to one file never overlap. */
  #tail: Promise<void> = Promise.resolve();
  #writes = 0;

  constructor(file: string) {
    this.#file = file;
    if (!existsSync(file)) return;
    const now = Date.now();
    let stored: Record<string, Entry>;
    try {
      stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, Entry>;
    } catch (error) {
      throw new Error(`${file} is not the provider's state (${(error as Error).message}); remove it`);
    }
    for (const [id, entry] of Object.entries(stored)) if (isLive(entry, now)) this.#entries.set(id, entry);
  }

  /** The entry while it lives; an expired one is dropped on the way. */
  live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (!entry || isLive(entry, Date.now())) return entry;
    this.#entries.delete(id);
    // Not awaited: a write that fails here leaves an expired entry on disk, which no load returns.
    this.persist().catch(() => undefined);
    return undefined;
  }

  *liveEntries(): Iterable<[string, Entry]> {
    const now = Date.now();
    for (const pair of this.#entries) if (isLive(pair[1], now)) yield pair;
  }

  set(id: string, entry: Entry): void {
    this.#entries.set(id, entry);
  }

  delete(id: string): boolean {
    return this.#entries.delete(id);
  }

  /** Drops expired entries; true when there were some (the file then needs a write). */
  sweep(now = Date.now()): boolean {
    let swept = false;
    for (const [id, entry] of this.#entries) {
      if (!isLive(entry, now)) swept = this.#entries.delete(id);
    }
    return swept;
  }

  /**
   * Resolves once the current entries are on disk. Concurrent callers share one queued write, so a burst
   * of changes costs two writes at most, not one each.
   */
  persist(): Promise<void> {
    if (this.#queued) return this.#queued;
    const queued = this.#tail
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.#write();
      });
    this.#queued = queued;
    this.#tail = queued;
    return queued;
  }

  /** Resolves when no write is pending (a failed one included). */
  idle(): Promise<void> {
    return this.#tail.catch(() => undefined);
  }

  async #write(): Promise<void> {
    this.sweep();
    const text = JSON.stringify(Object.fromEntries(this.#entries));
    const temporary = `${this.#file}.${process.pid}-${++this.#writes}.tmp`;
    await writeFile(temporary, text, { mode: 0o600, flush: true });
    await rename(temporary, this.#file);
  }
}

/**
 * oidc-provider's adapter for one model over a {@link ModelFile}: upsert, find, findByUid, findByUserCode,
 * consume, destroy and revokeByGrantId, each resolving once the change is on disk.
 */
class FileAdapter {
  readonly #model: ModelFile;

  constructor(model: ModelFile) {
    this.#model = model;
  }

  async upsert(id: string, payload: StoredPayload, expiresIn?: number): Promise<void> {
    this.#model.set(id, {
      payload: structuredClone(payload),
      ...(typeof expiresIn === "number" ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
    });
    await this.#model.persist();
  }

  // Copies, so that what oidc-provider does to a found object changes nothing until it upserts it.
  async find(id: string): Promise<StoredPayload | undefined> {
    const entry = this.#model.live(id);
    return entry && structuredClone(entry.payload);
  }

  async findByUid(uid: string): Promise<StoredPayload | undefined> {
    return this.#findBy((payload) => payload.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<StoredPayload | undefined> {
    return this.#findBy((payload) => payload.userCode === userCode);
  }

  async consume(id: string): Promise<void> {
    const entry = this.#model.live(id);
    if (!entry) return;
    entry.payload.consumed = Math.floor(Date.now() / 1000);
    await this.#model.persist();
  }

  async destroy(id: string): Promise<void> {
    if (this.#model.delete(id)) await this.#model.persist();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    let revoked = false;
    for (const [id, entry] of this.#model.liveEntries()) {
      if (entry.payload.grantId === grantId) revoked = this.#model.delete(id);
    }
    if (revoked) await this.#model.persist();
  }

  #findBy(matches: (payload: StoredPayload) => boolean): StoredPayload | undefined {
    for (const [, entry] of this.#model.liveEntries()) {
      if (matches(entry.payload)) return structuredClone(entry.payload);
    }
    return undefined;
  }
}

/**
 * The provider's sessions, grants, interactions and codes as files in one directory (one JSON document
 * per model), so a restart signs nobody out. Only one process may use a directory at a time. Expired
 * entries are never returned, and they are removed from the files on every write and every sweep.
 */
export class FileStateStore {
  readonly #dir: string;
  readonly #models = new Map<string, ModelFile>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(dir: string, options: { sweepIntervalMs?: number } = {}) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) {
      // Left by a write the process did not finish: the file it was meant to replace is still whole.
      if (name.endsWith(".tmp")) rmSync(join(dir, name), { force: true });
      // Loaded now, so the sweep also reaches models no request has touched since the start.
      else if (MODEL_FILE.test(name)) this.#model(name.slice(0, -".json".length));
    }
    this.#sweeper = setInterval(() => void this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
  }

  /** What oidc-provider's `adapter` setting takes: a factory of one adapter per model name. */
  readonly adapter = (model: string): FileAdapter => new FileAdapter(this.#model(model));

  /** Removes expired entries from memory and from the files. */
  async sweep(): Promise<void> {
    const now = Date.now();
    const swept = [...this.#models.values()].filter((model) => model.sweep(now));
    // A failed write only leaves expired entries on disk, which no load returns; the next write retries.
    await Promise.all(swept.map((model) => model.persist().catch(() => undefined)));
  }

  /** Stops sweeping and waits for every pending write. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.all([...this.#models.values()].map((model) => model.idle()));
  }

  #model(name: string): ModelFile {
    if (!MODEL_NAME.test(name)) throw new Error(`unexpected oidc-provider model name ${name}`);
    let model = this.#models.get(name);
    if (!model) {
      model = new ModelFile(join(this.#dir, `${name}.json`));
      this.#models.set(name, model);
    }
    return model;
  }
}
