import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A fake host tree under a temporary directory, laid out like a real distribution's. */
export interface FakeHost {
  root: string;
  write(path: string, text: string, mode?: number): void;
  link(path: string, target: string): void;
  remove(): void;
}

export function fakeHost(): FakeHost {
  const root = mkdtempSync(join(tmpdir(), 'rco-host-'));
  const write = (path: string, text: string, mode = 0o644): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    chmodSync(join(root, path), mode);
  };
  const link = (path: string, target: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target, join(root, path));
  };
  return { root, write, link, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A fake host with these files (mode 644) and symlinks. */
function layout(files: Record<string, string>, links: Record<string, string>): FakeHost {
  const host = fakeHost();
  for (const [path, text] of Object.entries(files)) host.write(path, text);
  for (const [path, target] of Object.entries(links)) host.link(path, target);
  return host;
}

/** The running kernel of a stock host: somaxconn 4096, overcommit 0, THP as given. */
function kernel(host: FakeHost, thp: string): void {
  host.write('/proc/sys/net/core/somaxconn', '4096\n');
  host.write('/proc/sys/vm/overcommit_memory', '0\n');
  host.write('/sys/kernel/mm/transparent_hugepage/enabled', `${thp}\n`);
}

const PROC_LIMITS = (soft: string, hard: string): string =>
  `Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            ${soft}                ${hard}               files     \nMax processes             127563               127563               processes \n`;

/** A running redis-server's /proc/PID files. */
export function redisProcess(host: FakeHost, pid: number, options: { uid: number; soft: string; hard: string }): void {
  host.write(`/proc/${pid}/limits`, PROC_LIMITS(options.soft, options.hard));
  host.write(`/proc/${pid}/status`, `Name:\tredis-server\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t${pid}\nPid:\t${pid}\nUid:\t${options.uid}\t${options.uid}\t${options.uid}\t${options.uid}\nGid:\t${options.uid}\t${options.uid}\t${options.uid}\t${options.uid}\n`);
}

/**
 * Debian 12 (bookworm): /etc/sysctl.d/99-sysctl.conf links to ../sysctl.conf (procps), systemd's
 * /usr/lib/sysctl.d files, limits.conf with only commented examples and an empty limits.d, no
 * /etc/rc.local, redis-server running as user redis (uid 104). `sysctlConf` lines are the
 * operator's old settings appended to Debian's stock /etc/sysctl.conf.
 */
export function debian12(sysctlConf: string[] = []): FakeHost {
  const host = layout({
    '/etc/sysctl.conf': `#\n# /etc/sysctl.conf - Configuration file for setting system variables\n# See /etc/sysctl.d/ for additional system variables.\n# See sysctl.conf (5) for information.\n#\n\n#kernel.domainname = example.com\n\n# Uncomment the following to stop low-level messages on console\n#kernel.printk = 3 4 1 3\n\n###################################################################\n# Functions previously found in netbase\n#\n\n# Uncomment the next two lines to enable Spoof protection (reverse-path filter)\n#net.ipv4.conf.default.rp_filter=1\n#net.ipv4.conf.all.rp_filter=1\n${sysctlConf.map((l) => `${l}\n`).join('')}`,
    '/etc/sysctl.d/README.sysctl': 'Kernel system variables configuration files\n\nFiles found under the /etc/sysctl.d directory that end with .conf are\nparsed within sysctl(8) at boot time.\n',
    '/usr/lib/sysctl.d/50-default.conf': '# See sysctl.d(5) and core(5) for documentation.\nkernel.sysrq = 0x01b6\nkernel.core_uses_pid = 1\nnet.ipv4.conf.default.rp_filter = 2\n-net.ipv4.conf.all.rp_filter = 2\nnet.core.default_qdisc = fq_codel\nfs.protected_regular = 1\n',
    '/usr/lib/sysctl.d/50-pid-max.conf': '# Bump the numeric PID range\nkernel.pid_max = 4194304\n',
    '/usr/lib/sysctl.d/protect-links.conf': '###################################################################\n# Protected links\nfs.protected_fifos = 1\nfs.protected_hardlinks = 1\nfs.protected_regular = 2\nfs.protected_symlinks = 1\n',
    '/etc/security/limits.conf': '# /etc/security/limits.conf\n#\n#Each line describes a limit for a user in the form:\n#\n#<domain>        <type>  <item>  <value>\n#\n#*               soft    core            0\n#root            hard    core            100000\n#*               hard    rss             10000\n#@student        hard    nproc           20\n#@faculty        soft    nproc           20\n#ftp             hard    nproc           0\n#ftp             -       chroot          /ftp\n#@student        -       maxlogins       4\n\n# End of file\n',
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nredis:x:104:110::/var/lib/redis:/usr/sbin/nologin\n',
    '/etc/group': 'root:x:0:\ndaemon:x:1:\nredis:x:110:\ndbadmin:x:1001:redis,alice\n',
  }, { '/etc/sysctl.d/99-sysctl.conf': '../sysctl.conf' });
  mkdirSync(join(host.root, 'etc/security/limits.d'), { recursive: true });
  kernel(host, 'always [madvise] never');
  return host;
}

/**
 * RHEL 9: the same 99-sysctl.conf link, RHEL's /usr/lib/sysctl.d set, limits.d/20-nproc.conf,
 * /etc/rc.local linking to rc.d/rc.local, shipped without the execute bit.
 */
export function rhel9(): FakeHost {
  const host = layout({
    '/etc/sysctl.conf': '# sysctl settings are defined through files in\n# /usr/lib/sysctl.d/, /run/sysctl.d/, and /etc/sysctl.d/.\n#\n# Vendors settings live in /usr/lib/sysctl.d/.\n# To override a whole file, create a new file with the same in\n# /etc/sysctl.d/ and put new settings there. To override\n# only specific settings, add a file with a lexically later\n# name in /etc/sysctl.d/ and put new settings there.\n#\n# For more information, see sysctl.conf(5) and sysctl.d(5).\n',
    '/usr/lib/sysctl.d/10-default-yama-scope.conf': 'kernel.yama.ptrace_scope = 0\n',
    '/usr/lib/sysctl.d/50-coredump.conf': 'kernel.core_pattern=|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h\n',
    '/usr/lib/sysctl.d/50-default.conf': 'kernel.sysrq = 16\nkernel.core_uses_pid = 1\nnet.ipv4.conf.default.rp_filter = 2\nnet.core.optmem_max = 81920\nfs.protected_hardlinks = 1\n',
    '/usr/lib/sysctl.d/50-libkcapi-optmem_max.conf': '# Increase optmem_max for libkcapi\nnet.core.optmem_max = 81920\n',
    '/usr/lib/sysctl.d/50-pid-max.conf': 'kernel.pid_max = 4194304\n',
    '/usr/lib/sysctl.d/50-redhat.conf': '# Use one of the following to set the kernel.core_pattern\nkernel.kptr_restrict = 1\n',
    '/etc/security/limits.conf': '# /etc/security/limits.conf\n#\n#This file sets the resource limits for the users logged in via PAM.\n#It does not affect resource limits of the system services.\n#\n#<domain>      <type>  <item>         <value>\n#\n\n#*               soft    core            0\n#@student        hard    nproc           20\n\n# End of file\n',
    '/etc/security/limits.d/20-nproc.conf': '# Default limit for number of user\'s processes to prevent\n# accidental fork bombs.\n# See rhbz #432903 for reasoning.\n\n*          soft    nproc     4096\nroot       soft    nproc     unlimited\n',
    '/etc/rc.d/rc.local': '#!/bin/bash\n# THIS FILE IS ADDED FOR COMPATIBILITY PURPOSES\n#\n# It is highly advisable to create own systemd services or udev rules\n# to run scripts during boot instead of using this file.\n#\n# Please note that you must run \'chmod +x /etc/rc.d/rc.local\' to ensure\n# that this script will be executed during boot.\n\ntouch /var/lock/subsys/local\n',
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nredis:x:991:989:Redis Database Server:/var/lib/redis:/sbin/nologin\n',
    '/etc/group': 'root:x:0:\nredis:x:989:\n',
  }, { '/etc/sysctl.d/99-sysctl.conf': '../sysctl.conf', '/etc/rc.local': 'rc.d/rc.local' });
  kernel(host, '[always] madvise never');
  return host;
}
