import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { freePort } from './free-port';

/**
 * A real local Redis Cluster for the tests: N masters (three by default, the fewest `redis-cli --cluster
 * create` accepts, and what failure detection by majority needs) and optionally replicas for each, every
 * node a `redis-server --cluster-enabled yes` on free ports in a temp dir; or one master holding every
 * slot, enough for the slot rules (CROSSSLOT is per slot, not per node) at a fraction of the start-up.
 * Nothing is persisted. The seed list goes to the apps as REDIS_CLUSTER_NODES.
 */
export interface RedisClusterOptions {
  masters?: number;
  /** Replicas per master (0: no failover possible). */
  replicasPerMaster?: number;
  /**
   * cluster-node-timeout: how long a node may be unreachable before it is considered failing, which
   * drives the failover pause. Redis' default is 15 s; a test keeps it short so that a failover fits in
   * a test's time. Report the pause together with this value.
   */
  nodeTimeoutMs?: number;
}

export interface ClusterNodeInfo {
  port: number;
  id: string;
  role: 'master' | 'replica';
  /** For a replica: its master's node id. */
  masterId?: string;
  /** For a master: the slot ranges it serves, e.g. [[0, 5460]]. */
  slots: Array<[number, number]>;
  failing: boolean;
}

export interface TestRedisCluster {
  /** "127.0.0.1:port" of every node started (those created as masters first): the seed list. */
  readonly nodes: string[];
  /** The seed list as REDIS_CLUSTER_NODES wants it (comma-separated). */
  readonly seeds: string;
  /** A single-node URL of the first node (for tools that want one, e.g. a launcher's REDIS_URL); it may be stopped later. */
  readonly url: string;
  readonly nodeTimeoutMs: number;
  /** The cluster's view (CLUSTER NODES) from a node still running. */
  topology(): Promise<ClusterNodeInfo[]>;
  /** Port of the master currently serving the key's slot. */
  masterPortOf(key: string): Promise<number>;
  /** A cluster client for the test itself (disconnect it when done). */
  client(): Cluster;
  /**
   * Error replies counted by the running nodes since they started (INFO errorstats), summed by error
   * code, e.g. { CROSSSLOT: 1, MOVED: 12 }: the server's own record of every cross-slot command.
   */
  errorStats(): Promise<Record<string, number>>;
  /** Stops one node (SIGKILL by default: a crash, no goodbye to the cluster). */
  stopNode(port: number, signal?: NodeJS.Signals): Promise<void>;
  /** Resolves once every running node reports cluster_state:ok and every slot has a running master. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const NODE_START_TIMEOUT_MS = 5_000;
const CLUSTER_OK_TIMEOUT_MS = 20_000;
/** Short enough for a failover inside a test, long enough not to flap on 2 busy CI cores. */
export const DEFAULT_TEST_NODE_TIMEOUT_MS = 1_000;
const POLL_MS = 50;

export function redisClusterToolsAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 0;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? DEFAULT_TEST_NODE_TIMEOUT_MS;
  if (masters === 2 || masters < 1) throw new Error('a cluster of one master (every slot on it) or of three and more');
  if (masters === 1 && replicasPerMaster > 0) throw new Error('a one-node cluster has no replicas');
  if (!redisClusterToolsAvailable()) {
    throw new Error('redis-server and redis-cli are needed for the cluster tests: apt-get install -y redis-server');
  }
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const processes = new Map<number, ChildProcess>();
  const ports: number[] = [];
  const used = new Set<number>();
  const stopProcess = (port: number, signal: NodeJS.Signals): Promise<void> =>
    new Promise((resolve) => {
      const child = processes.get(port);
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  const stopAll = async () => {
    await Promise.all([...processes.keys()].map((port) => stopProcess(port, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
      // The cluster bus gets its own free port: the default (port + 10000) can fall outside the port range.
      const port = await distinctFreePort(used);
      const busPort = await distinctFreePort(used);
      ports.push(port);
      processes.set(port, spawnNode(dir, port, busPort, nodeTimeoutMs));
    }
    await Promise.all(ports.map((port) => waitForPing(port)));
    if (masters === 1) {
      // One node: every slot on it. Enough for the slot rules (CROSSSLOT is per slot, not per node).
      const node = new Redis(ports[0], '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
      node.on('error', () => undefined);
      try {
        await node.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
      } finally {
        node.disconnect();
      }
    } else {
      createCluster(ports, replicasPerMaster);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const running = () => ports.filter((port) => processes.get(port)?.exitCode === null && processes.get(port)?.signalCode === null);
  const withNode = async <T>(use: (node: Redis) => Promise<T>): Promise<T> => {
    let lastError: unknown;
    for (const port of running()) {
      const node = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      node.on('error', () => undefined);
      try {
        await node.connect();
        return await use(node);
      } catch (error) {
        lastError = error;
      } finally {
        node.disconnect();
      }
    }
    throw new Error(`no cluster node answered: ${String(lastError)}`);
  };
  const topology = () => withNode(async (node) => parseClusterNodes(String(await node.call('CLUSTER', 'NODES'))));

  const waitUntilHealthy = async (timeoutMs = CLUSTER_OK_TIMEOUT_MS): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const problem = await healthProblem(running(), replicasPerMaster > 0).catch((error: unknown) => String(error));
      if (problem === undefined) return;
      last = problem;
      if (Date.now() > deadline) throw new Error(`cluster not healthy within ${timeoutMs} ms: ${last}`);
      await sleep(POLL_MS);
    }
  };

  try {
    await waitUntilHealthy();
  } catch (error) {
    await stopAll();
    throw error;
  }

  const nodes = ports.map((port) => `127.0.0.1:${port}`);
  return {
    nodes,
    seeds: nodes.join(','),
    url: `redis://${nodes[0]}`,
    nodeTimeoutMs,
    topology,
    masterPortOf: async (key) => {
      const slot = await withNode(async (node) => Number(await node.call('CLUSTER', 'KEYSLOT', key)));
      const master = (await topology()).find((n) => n.role === 'master' && !n.failing && n.slots.some(([a, b]) => slot >= a && slot <= b));
      if (!master) throw new Error(`no master serves slot ${slot}`);
      return master.port;
    },
    client: () => {
      const cluster = new Cluster(running().map((port) => ({ host: '127.0.0.1', port })), { clusterRetryStrategy: () => 100 });
      cluster.on('error', () => undefined);
      return cluster;
    },
    errorStats: async () => {
      const totals: Record<string, number> = {};
      for (const port of running()) {
        const node = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        node.on('error', () => undefined);
        try {
          await node.connect();
          for (const [, code, count] of String(await node.call('INFO', 'errorstats')).matchAll(/errorstat_(\w+):count=(\d+)/g)) {
            totals[code] = (totals[code] ?? 0) + Number(count);
          }
        } finally {
          node.disconnect();
        }
      }
      return totals;
    },
    stopNode: (port, signal = 'SIGKILL') => stopProcess(port, signal),
    waitUntilHealthy,
    stop: stopAll,
  };
}

/** A free port not handed out before in this cluster (the OS may offer a just-closed port again). */
async function distinctFreePort(used: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!used.has(port)) {
      used.add(port);
      return port;
    }
  }
}

function createCluster(ports: number[], replicasPerMaster: number): void {
  const create = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}\n${create.stderr}`);
}

function spawnNode(dir: string, port: number, busPort: number, nodeTimeoutMs: number): ChildProcess {
  const child = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--cluster-port', String(busPort),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-announce-ip', '127.0.0.1',
      '--cluster-config-file', join(dir, `nodes-${port}.conf`),
      '--cluster-node-timeout', String(nodeTimeoutMs),
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
      '--loglevel', 'warning',
      '--logfile', join(dir, `redis-${port}.log`),
    ],
    { stdio: 'ignore' },
  );
  child.on('error', () => undefined);
  return child;
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + NODE_START_TIMEOUT_MS;
  for (;;) {
    const node = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    node.on('error', () => undefined);
    try {
      await node.connect();
      await node.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start: ${String(error)}`);
      await sleep(20);
    } finally {
      node.disconnect();
    }
  }
}

/** Why the cluster is not healthy yet, or undefined when every running node says ok and replicas are in sync. */
async function healthProblem(ports: number[], expectReplicas: boolean): Promise<string | undefined> {
  for (const port of ports) {
    const node = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    node.on('error', () => undefined);
    try {
      await node.connect();
      const info = String(await node.call('CLUSTER', 'INFO'));
      if (!info.includes('cluster_state:ok')) return `node ${port}: ${info.match(/cluster_state:\w+/)?.[0]}`;
      if (!/cluster_slots_ok:16384\b/.test(info)) return `node ${port}: ${info.match(/cluster_slots_ok:\d+/)?.[0]}`;
      if (expectReplicas) {
        const replication = String(await node.call('INFO', 'replication'));
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) {
          return `replica ${port}: link to its master not up`;
        }
      }
    } finally {
      node.disconnect();
    }
  }
  return undefined;
}

/** CLUSTER NODES: `<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot>...` */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, address, flags, master, , , , , ...slotFields] = line.trim().split(' ');
      const port = Number(address.split('@')[0].split(':').pop());
      const flagSet = flags.split(',');
      const slots = slotFields
        .filter((field) => !field.startsWith('['))
        .map((field): [number, number] => {
          const [a, b] = field.split('-').map(Number);
          return [a, b ?? a];
        });
      return {
        port,
        id,
        role: flagSet.includes('master') ? 'master' : 'replica',
        masterId: master === '-' ? undefined : master,
        slots,
        failing: flagSet.includes('fail') || flagSet.includes('fail?'),
      };
    });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
