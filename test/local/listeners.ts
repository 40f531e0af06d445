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

/** Every listening TCP socket of the machine, with the inode that ties it to the process holding it. */
function listeningSockets(): (Omit<Listener, 'pid'> & { readonly inode: string })[] {
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length >= 10 && fields[3] === '0A') // 0A: LISTEN
      .map((fields) => {
        const [address, port] = fields[1]!.split(':');
        return { address: decodeAddress(address!), port: Number.parseInt(port!, 16), inode: fields[9]! };
      }),
  );
}

/** Every listening TCP socket of the machine on one of `ports`, whoever holds it (a daemon that left the tree, say). */
export function listenersOnPorts(ports: ReadonlySet<number>): Omit<Listener, 'pid'>[] {
  return listeningSockets()
    .filter((socket) => ports.has(socket.port))
    .map(({ address, port }) => ({ address, port }));
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
  return listeningSockets().flatMap(({ address, port, inode }) => {
    const pid = owners.get(inode);
    return pid === undefined ? [] : [{ pid, address, port }];
  });
}

/** Whether an address is the loopback interface's (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6). */
export function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\./.test(address) || address === '0:0:0:0:0:0:0:1';
}
