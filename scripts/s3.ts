/**
 * A single-node Ceph RADOS Gateway on loopback: the real S3 server the tests and benchmarks use.
 *
 *   eval "$(npm run -s s3 -- start)"   # starts it (about 12 s) and prints `export AWS_ENDPOINT_URL_S3=…` lines
 *   npm run -s s3 -- env               # prints the export lines of the running one again
 *   npm run -s s3 -- stop              # stops it and deletes its data
 *
 * One monitor, one OSD on memstore (objects live in memory), `auth … = none` between the daemons, pool size 1, the v1
 * messenger, radosgw's beast frontend on 127.0.0.1, then `radosgw-admin user create` for S3 keys and a bucket (`id3`
 * unless --bucket says otherwise). Everything — config, pid files, logs — lives under one folder (--dir, default
 * $ID3_S3_DIR or $TMPDIR/id3-s3), and the ports are picked free, so several gateways can run side by side. Needs the
 * Debian packages in test/setup/apt/s3.txt (test/setup/prepare.sh installs them).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const run = promisify(execFile);

export interface GatewayInfo {
  dir: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

const TOOLS = ['monmaptool', 'ceph-mon', 'ceph-osd', 'ceph', 'radosgw', 'radosgw-admin'];
const DAEMONS = ['client.rgw', 'osd.0', 'mon.a'];

export function defaultDir(): string {
  return process.env.ID3_S3_DIR ?? join(tmpdir(), 'id3-s3');
}

export interface StartOptions {
  dir?: string;
  bucket?: string;
  /** Where it will answer and its keys, from planGateway; chosen here when unset. */
  plan?: GatewayInfo;
  /** Written to owner.pid, so a later run can tell an abandoned gateway (its owner is gone) from a live one. */
  owner?: number;
  /** Stops a start in progress between steps; what was started is stopped again. */
  signal?: AbortSignal;
}

/** Chooses a gateway's port and keys before it starts, so that a caller can publish them while it boots. */
export async function planGateway(opts: { dir?: string; bucket?: string } = {}): Promise<GatewayInfo> {
  return {
    dir: opts.dir ?? defaultDir(),
    endpoint: `http://127.0.0.1:${await freePort()}`,
    region: 'us-east-1',
    accessKeyId: randomBytes(10).toString('hex').toUpperCase(),
    secretAccessKey: randomBytes(20).toString('base64url'),
    bucket: opts.bucket ?? 'id3',
  };
}

/** Starts a gateway under `dir`, or returns the one already running there. */
export async function startGateway(opts: StartOptions = {}): Promise<GatewayInfo> {
  const info = opts.plan ?? (await planGateway(opts));
  const dir = info.dir;
  const running = await runningGateway(dir);
  if (running) return running;
  await checkTools();
  await rm(dir, { recursive: true, force: true });
  for (const sub of ['run', 'log', 'mon', 'osd/osd.0', 'rgw']) await mkdir(join(dir, sub), { recursive: true });
  if (opts.owner !== undefined) await writeFile(join(dir, 'owner.pid'), String(opts.owner));
  try {
    return await bootstrap(info, opts.signal);
  } catch (err) {
    const logs = await logTails(dir);
    if (!process.env.ID3_S3_KEEP) await stopGateway(dir);
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new Error(`the Ceph gateway did not start: ${(err as Error).message}\n${logs}`, { cause: err });
  }
}

async function bootstrap(info: GatewayInfo, signal?: AbortSignal): Promise<GatewayInfo> {
  const { dir, bucket } = info;
  const step = () => signal?.throwIfAborted();
  const monPort = await freePort();
  const rgwPort = Number(new URL(info.endpoint).port);
  const fsid = randomUUID();
  await writeFile(join(dir, 'ceph.conf'), cephConf(dir, fsid, monPort, rgwPort));
  await run('monmaptool', ['--create', '--addv', 'a', `[v1:127.0.0.1:${monPort}]`, '--fsid', fsid, `${dir}/monmap`]);
  await daemon(dir, 'ceph-mon', ['--mkfs', '-i', 'a', '--monmap', `${dir}/monmap`]);
  await daemon(dir, 'ceph-mon', ['-i', 'a']);
  // A monitor that has just forked can refuse commands for a moment ("EPERM: problem getting command
  // descriptions"), more often on a loaded machine: wait until it answers.
  await until(
    'the monitor to answer',
    60_000,
    async () => {
      await ceph(dir, 'ceph', ['--connect-timeout', '10', 'mon', 'stat']);
      return true;
    },
    signal,
  );
  step();
  const osdUuid = randomUUID();
  await retrying(() => ceph(dir, 'ceph', ['osd', 'new', osdUuid]));
  await retrying(() => ceph(dir, 'ceph', ['osd', 'crush', 'add', 'osd.0', '1.0', 'root=default']));
  step();
  await daemon(dir, 'ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
  await daemon(dir, 'ceph-osd', ['-i', '0']);
  await until(
    'the OSD to come up',
    60_000,
    async () => {
      const { stdout } = await ceph(dir, 'ceph', ['osd', 'stat', '-f', 'json']);
      return (JSON.parse(stdout) as { num_up_osds?: number }).num_up_osds === 1;
    },
    signal,
  );
  await startRadosgw(dir, signal);
  await retrying(() =>
    ceph(dir, 'radosgw-admin', [
      ...['user', 'create', '--uid', 'id3', '--display-name', 'id3'],
      ...['--access-key', info.accessKeyId, '--secret-key', info.secretAccessKey],
    ]),
  );
  step();
  await createBucket(info, bucket);
  await writeFile(join(dir, 'gateway.json'), JSON.stringify(info, null, 2));
  await chmod(join(dir, 'gateway.json'), 0o600);
  return info;
}

/** The file a background start leaves when it failed (see waitForGateway). */
export const START_ERROR_FILE = 'start-error.txt';

/**
 * Waits for a gateway that another process is starting under `info.dir`: until it is up (its gateway.json exists),
 * or fails with the error that process wrote to start-error.txt.
 */
export async function waitForGateway(info: GatewayInfo, timeoutMs = 180_000): Promise<void> {
  let failure: string | undefined;
  await until('the Ceph gateway to start', timeoutMs, async () => {
    failure = await readFile(join(info.dir, START_ERROR_FILE), 'utf8').catch(() => undefined);
    return failure !== undefined || existsSync(join(info.dir, 'gateway.json'));
  });
  if (failure !== undefined) throw new Error(failure);
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${monPort}
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = false
osd objectstore = memstore
memstore device bytes = 4294967296
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
# The OSD's own crush updates at start race its first monmap ("wrong fsid") about half the time; bootstrap places it.
osd crush update on start = false
osd class update on start = false
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon max pg per osd = 1000
run dir = ${dir}/run
pid file = ${dir}/run/$name.pid
admin socket = ${dir}/run/$name.$pid.asok
log file = ${dir}/log/$name.log
mon data = ${dir}/mon/$name
osd data = ${dir}/osd/$name

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
`;
}

/** Starts radosgw under an existing cluster (unless it answers already) and waits until it answers HTTP. */
export async function startRadosgw(dir: string, signal?: AbortSignal): Promise<void> {
  const port = /beast endpoint=127\.0\.0\.1:(\d+)/.exec(readFileSync(join(dir, 'ceph.conf'), 'utf8'))?.[1];
  const answers = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    return res !== undefined && res.status < 500;
  };
  if (await answers()) return;
  await daemon(dir, 'radosgw', ['-n', 'client.rgw']);
  await until('radosgw to answer', 90_000, answers, signal);
}

/** Stops radosgw only (the cluster keeps its data), e.g. to test clients riding out a gateway restart. */
export async function stopRadosgw(dir: string): Promise<void> {
  await stopDaemon(dir, 'client.rgw', 'SIGTERM');
}

/** Stops every daemon of the gateway under `dir` and deletes the folder. */
export async function stopGateway(dir: string = defaultDir()): Promise<void> {
  // The data is thrown away, so the OSD and monitor need no clean shutdown.
  for (const name of DAEMONS) await stopDaemon(dir, name, name === 'client.rgw' ? 'SIGTERM' : 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
}

/** The gateway running under `dir`, if its state file exists and it answers. */
export async function runningGateway(dir: string): Promise<GatewayInfo | undefined> {
  const file = join(dir, 'gateway.json');
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(await readFile(file, 'utf8')) as GatewayInfo;
  const res = await fetch(`${info.endpoint}/`).catch(() => undefined);
  return res && res.status < 500 ? info : undefined;
}

export function exportLines(info: GatewayInfo): string {
  return [
    `export AWS_ENDPOINT_URL_S3=${info.endpoint}`,
    `export AWS_ACCESS_KEY_ID=${info.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${info.secretAccessKey}`,
    `export AWS_REGION=${info.region}`,
    `export ID3_S3_BUCKET=${info.bucket}`,
    `export ID3_S3_DIR=${info.dir}`,
    '',
  ].join('\n');
}

async function createBucket(info: GatewayInfo, bucket: string): Promise<void> {
  const client = new S3Client({
    region: info.region,
    endpoint: info.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

/** Runs a Ceph daemon (which forks into the background) or its --mkfs; output goes to a log file, not a pipe. */
async function daemon(dir: string, bin: string, args: string[]): Promise<void> {
  const out = openSync(join(dir, 'log', `${bin}.out`), 'a');
  const child: ChildProcess = spawn(bin, ['-c', join(dir, 'ceph.conf'), ...args], { stdio: ['ignore', out, out] });
  const code = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('exit', done);
  });
  if (code !== 0) throw new Error(`${bin} ${args.join(' ')} exited with ${code}`);
}

function ceph(dir: string, bin: string, args: string[]) {
  return run(bin, ['-c', join(dir, 'ceph.conf'), ...args], { timeout: 60_000 });
}

async function stopDaemon(dir: string, name: string, signal: NodeJS.Signals): Promise<void> {
  const pid = await readPid(dir, name);
  if (pid === undefined || !ownedBy(pid, dir)) return;
  process.kill(pid, signal);
  await until(`${name} to exit`, 30_000, async () => !alive(pid)).catch(() => process.kill(pid, 'SIGKILL'));
}

async function readPid(dir: string, name: string): Promise<number | undefined> {
  const file = join(dir, 'run', `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(await readFile(file, 'utf8'), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Guards against a recycled pid: only signal a process started with this gateway's config file. */
function ownedBy(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(dir, 'ceph.conf'));
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has exited; only its parent's wait is missing
  } catch {
    return false;
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, signal?: AbortSignal) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

/** Retries an idempotent admin command a few times: the daemons answer sporadic errors while they settle. */
async function retrying<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((done) => setTimeout(done, 500 * i));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

async function checkTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of TOOLS) {
    await run('sh', ['-c', `command -v ${tool}`]).catch(() => missing.push(tool));
  }
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.join(', ')}: run test/setup/prepare.sh as root, or apt-get install radosgw ceph-mon ceph-osd`,
    );
  }
}

async function logTails(dir: string): Promise<string> {
  const files = await readdir(join(dir, 'log')).catch(() => [] as string[]);
  const tails = await Promise.all(
    files.map(async (f) => {
      const lines = (await readFile(join(dir, 'log', f), 'utf8')).trimEnd().split('\n');
      return `--- ${f} (last lines)\n${lines.slice(-8).join('\n')}`;
    }),
  );
  return tails.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, bucket: { type: 'string' } },
  });
  const dir = values.dir ?? defaultDir();
  const command = positionals[0];
  if (command === 'start') {
    process.stderr.write(`starting the Ceph RADOS Gateway under ${dir} …\n`);
    process.stdout.write(exportLines(await startGateway({ dir, bucket: values.bucket })));
  } else if (command === 'env') {
    const info = await runningGateway(dir);
    if (!info) throw new Error(`no gateway is running under ${dir}`);
    process.stdout.write(exportLines(info));
  } else if (command === 'stop') {
    await stopGateway(dir);
    process.stderr.write(`stopped the gateway under ${dir}\n`);
  } else {
    throw new Error('usage: npm run -s s3 -- start|env|stop [--dir DIR] [--bucket NAME]');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`s3: ${err.message}\n`);
    process.exitCode = 1;
  });
}
