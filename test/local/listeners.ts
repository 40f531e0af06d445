import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A TCP socket in the LISTEN state: the address it is bound to and its port. */
export interface Listener {
  readonly pid: number;
  readonly address: string;
  readonly port: number;
}

/** The process and all its descendants, from /proc (Linux). */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent is the 4th field of /proc/<pid>/stat, after the command name in parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while being read.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

/** /proc/net/tcp's hex address: little-endian IPv4, or IPv6 as four little-endian words. */
function decodeAddress(hex: string): string {
  const bytes = (word: string) =>
    word
      .match(/../g)!
      .reverse()
      .map((byte) => Number.parseInt(byte, 16));
  if (hex.length === 8) return bytes(hex).join('.');
  const words = hex.match(/.{8}/g)!.flatMap(bytes);
  const groups = Array.from({ length: 8 }, (_, i) => ((words[2 * i]! << 8) | words[2 * i + 1]!).toString(16));
  const v4Mapped = groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff';
  return v4Mapped ? `::ffff:${words.slice(12).join('.')}` : groups.join(':');
}

/** Every listening TCP socket of the machine on one of `ports`, whoever holds it (a daemon that left the tree, say). */
export function listenersOnPorts(ports: ReadonlySet<number>): Omit<Listener, 'pid'>[] {
  const listeners: Omit<Listener, 'pid'>[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      const [address, port] = fields[1]!.split(':');
      if (ports.has(Number.parseInt(port!, 16))) listeners.push({ address: decodeAddress(address!), port: Number.parseInt(port!, 16) });
    }
  }
  return listeners;
}

/** Every listening TCP socket that the process or one of its descendants holds (Linux only). */
export function listenersOf(rootPid: number): Listener[] {
  const owners = new Map<string, number>();
  for (const pid of processTree(rootPid)) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) owners.set(inode, pid);
      } catch {
        // Closed while being read.
      }
    }
  }
  const listeners: Listener[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue; // 0A: LISTEN
      const pid = owners.get(fields[9]!);
      if (pid === undefined) continue;
      const [address, port] = fields[1]!.split(':');
      listeners.push({ pid, address: decodeAddress(address!), port: Number.parseInt(port!, 16) });
    }
  }
  return listeners;
}

/** Whether an address is the loopback interface's (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6). */
export function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\./.test(address) || address === '0:0:0:0:0:0:0:1';
}
