import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostTuner } from '../../../src/index';
import { debian12, redisProcess, rhel9, type FakeHost } from './fake-hosts';

const hosts: FakeHost[] = [];
const track = (host: FakeHost): FakeHost => {
  hosts.push(host);
  return host;
};
afterEach(() => {
  while (hosts.length > 0) hosts.pop()?.remove();
});
const read = (host: FakeHost, path: string): string => readFileSync(join(host.root, path), 'utf8');
const item = async (tuner: HostTuner, name: string) => (await tuner.inspect()).find((i) => i.name === name)!;

describe('HostTuner on a Debian 12 root: sysctl files in systemd-sysctl order', () => {
  it('does not call a value ok when /etc/sysctl.conf (99-sysctl.conf) would undo it at boot', async () => {
    const host = track(debian12(['vm.overcommit_memory = 0', 'net.core.somaxconn = 1024']));
    host.write('/proc/sys/net/core/somaxconn', '32767\n');
    host.write('/proc/sys/vm/overcommit_memory', '1\n');
    // An earlier tuning run's file: it sorts before 99-sysctl.conf, so sysctl.conf wins.
    host.write('/etc/sysctl.d/99-redis-cluster-ops.conf', 'net.core.somaxconn = 32767\nvm.overcommit_memory = 1\n');
    const tuner = new HostTuner({ root: host.root, settings: ['somaxconn', 'overcommit'] });
    const verdict = await tuner.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.items.map((i) => [i.name, i.current, i.persisted])).toEqual([
      ['somaxconn', '32767', '1024'],
      ['overcommit', '1', '0'],
    ]);
    expect(verdict.items[1]?.source).toBe('/etc/sysctl.d/99-sysctl.conf (-> /etc/sysctl.conf) line 19: vm.overcommit_memory = 0');

    const plan = await tuner.plan();
    expect(plan.edits.map((e) => [e.kind, e.file, e.content])).toEqual([
      ['persist', '/etc/sysctl.d/99-zz-redis-cluster-ops.conf', 'net.core.somaxconn = 32767'],
      ['persist', '/etc/sysctl.d/99-zz-redis-cluster-ops.conf', 'vm.overcommit_memory = 1'],
    ]);
    expect(plan.manual).toEqual([]);
    await tuner.apply(plan);
    expect((await tuner.verify()).ok).toBe(true);
    expect((await item(tuner, 'overcommit')).source).toBe('/etc/sysctl.d/99-zz-redis-cluster-ops.conf line 2: vm.overcommit_memory = 1');
  });

  it('reports a later sysctl.d file that overrides ours as a conflict, in the plan and in verify()', async () => {
    const host = track(debian12());
    host.write('/etc/sysctl.d/zz-legacy-app.conf', '# tuning from an old app\nvm.overcommit_memory=0\nnet/core/somaxconn = 65535\n');
    const tuner = new HostTuner({ root: host.root, settings: ['somaxconn', 'overcommit'] });
    const plan = await tuner.plan();
    expect(plan.manual).toHaveLength(1);
    expect(plan.manual[0]).toMatchObject({ kind: 'resolve-conflict', settings: ['overcommit'] });
    expect(plan.manual[0]?.message).toContain('/etc/sysctl.d/zz-legacy-app.conf line 2: vm.overcommit_memory = 0');
    // somaxconn 65535 in the later file is higher than wanted: not a conflict, and not persisted by us.
    expect(plan.edits.filter((e) => e.kind === 'persist').map((e) => e.setting)).toEqual(['overcommit']);
    await tuner.apply(plan);
    const overcommit = await item(tuner, 'overcommit');
    expect(overcommit.ok).toBe(false);
    expect(overcommit.current).toBe('1');
    expect(overcommit.persisted).toBe('0');
    expect(overcommit.conflicts).toEqual(['/etc/sysctl.d/zz-legacy-app.conf line 2: vm.overcommit_memory = 0 comes after /etc/sysctl.d/99-zz-redis-cluster-ops.conf and wins at boot']);
    expect((await item(tuner, 'somaxconn')).ok).toBe(true);
  });

  it('lets a file in /etc/sysctl.d mask the same name in /usr/lib/sysctl.d, and /run come before /usr/lib', async () => {
    const host = track(debian12());
    host.write('/proc/sys/vm/overcommit_memory', '1\n');
    host.write('/usr/lib/sysctl.d/99-zz-redis-cluster-ops.conf', 'vm.overcommit_memory = 0\n'); // masked by ours once written
    host.write('/run/sysctl.d/60-tmp.conf', 'vm.overcommit_memory = 1\n');
    host.write('/usr/lib/sysctl.d/60-tmp.conf', 'vm.overcommit_memory = 2\n'); // masked by /run
    const tuner = new HostTuner({ root: host.root, settings: ['overcommit'] });
    expect((await item(tuner, 'overcommit')).persisted).toBe('0');
    await tuner.apply();
    const after = await item(tuner, 'overcommit');
    expect(after).toMatchObject({ ok: true, persisted: '1', source: '/etc/sysctl.d/99-zz-redis-cluster-ops.conf line 1: vm.overcommit_memory = 1', conflicts: [] });
  });

  it('never lowers a limit that is already higher than wanted (nofile 200000, somaxconn 65535)', async () => {
    const host = track(debian12(['net.core.somaxconn = 65535', 'vm.overcommit_memory = 1']));
    host.write('/etc/security/limits.d/90-big.conf', '*       soft    nofile  200000\n*       hard    nofile  200000\n');
    host.write('/proc/sys/net/core/somaxconn', '65535\n');
    host.write('/proc/sys/vm/overcommit_memory', '1\n');
    const tuner = new HostTuner({ root: host.root, settings: ['nofile', 'somaxconn', 'overcommit'] });
    expect((await tuner.verify()).ok).toBe(true);
    expect(await tuner.plan()).toEqual({ edits: [], manual: [] });
    const result = await tuner.apply();
    expect(result.changed).toEqual([]);
    expect(read(host, '/proc/sys/net/core/somaxconn').trim()).toBe('65535');
    expect(existsSync(join(host.root, 'etc/security/limits.d/99-redis-cluster-ops.conf'))).toBe(false);
  });

  it('persists a running somaxconn higher than wanted as it is, not as 32767', async () => {
    const host = track(debian12());
    host.write('/proc/sys/net/core/somaxconn', '65535\n');
    const plan = await new HostTuner({ root: host.root, settings: ['somaxconn'] }).plan();
    expect(plan.edits.map((e) => [e.kind, e.content])).toEqual([['persist', 'net.core.somaxconn = 65535']]);
  });
});

describe('HostTuner: open files as pam_limits gives them to the user Redis runs as', () => {
  it('reads "* - nofile" as soft and hard', async () => {
    const host = track(debian12());
    host.write('/etc/security/limits.conf', '# local\n*   -   nofile   102400\n');
    const nofile = await item(new HostTuner({ root: host.root, settings: ['nofile'] }), 'nofile');
    expect(nofile).toMatchObject({ current: '102400', ok: true, source: '/etc/security/limits.conf line 2: * soft nofile 102400; /etc/security/limits.conf line 2: * hard nofile 102400' });
  });

  it('lets a line naming the user beat `*`, a @group line sit between, and writes the user name when `*` would not win', async () => {
    const host = track(debian12());
    host.write('/etc/security/limits.conf', '*        -     nofile   102400\n@dbadmin soft  nofile   8192\nredis    soft  nofile   4096\n');
    const tuner = new HostTuner({ root: host.root, settings: ['nofile'] });
    expect(await item(tuner, 'nofile')).toMatchObject({ current: '4096/102400', ok: false });
    expect(await item(new HostTuner({ root: host.root, settings: ['nofile'], user: 'alice' }), 'nofile')).toMatchObject({ current: '8192/102400', ok: false });
    expect(await item(new HostTuner({ root: host.root, settings: ['nofile'], user: 'bob' }), 'nofile')).toMatchObject({ current: '102400', ok: true });
    const plan = await tuner.plan();
    expect(plan.edits).toEqual([
      {
        file: '/etc/security/limits.d/99-redis-cluster-ops.conf',
        kind: 'persist',
        setting: 'nofile',
        content: 'redis soft nofile 102400\nredis hard nofile 102400',
        command: "printf '%s\\n' 'redis soft nofile 102400' 'redis hard nofile 102400' >> /etc/security/limits.d/99-redis-cluster-ops.conf",
      },
    ]);
    await tuner.apply(plan);
    expect(await item(tuner, 'nofile')).toMatchObject({ current: '102400', ok: true });
    expect(read(host, '/etc/security/limits.conf')).toContain('redis    soft  nofile   4096'); // the operator's file is left alone
  });

  it('warns that `*` lines do not apply when Redis runs as root, and writes lines naming root', async () => {
    const host = track(debian12());
    host.write('/etc/security/limits.conf', '* soft nofile 102400\n* hard nofile 102400\n');
    redisProcess(host, 4242, { uid: 0, soft: '1024', hard: '524288' });
    const tuner = new HostTuner({ root: host.root, settings: ['nofile'], pid: 4242 });
    const nofile = await item(tuner, 'nofile');
    expect(nofile.ok).toBe(false);
    expect(nofile.current).toBeUndefined();
    expect(nofile.warnings[0]).toMatch(/^Redis runs as root \(the uid \(0\) of the redis-server process\): pam_limits does not apply \* or @group lines to root/);
    const plan = await tuner.plan();
    expect(plan.edits[0]?.content).toBe('root soft nofile 102400\nroot hard nofile 102400');
    expect(plan.manual.map((s) => s.kind)).toEqual(['restart-redis']);
  });

  it('finds the user from the pid (/proc/PID/status and /etc/passwd) on RHEL 9', async () => {
    const host = track(rhel9());
    redisProcess(host, 777, { uid: 991, soft: '10032', hard: '10032' });
    const tuner = new HostTuner({ root: host.root, settings: ['nofile'], pid: 777 });
    const plan = await tuner.plan();
    expect(plan.edits[0]?.content).toBe('* soft nofile 102400\n* hard nofile 102400');
    expect(plan.edits[0]?.command).toContain("'* soft nofile 102400' '* hard nofile 102400'");
    expect(plan.manual[0]?.message).toMatch(/^restart redis-server: the running redis-server \(pid 777\) has nofile 10032/);
    expect(plan.manual[0]?.message).toContain('LimitNOFILE=102400');
  });

  it('reports a pid that is not running instead of passing it', async () => {
    const host = track(debian12());
    host.write('/etc/security/limits.conf', '* - nofile 102400\n');
    const tuner = new HostTuner({ root: host.root, settings: ['nofile'], pid: 31337 });
    const nofile = await item(tuner, 'nofile');
    expect(nofile.ok).toBe(false);
    expect(nofile.warnings).toEqual([expect.stringMatching(/^pid 31337 is not running/)]);
    expect((await tuner.plan()).manual).toEqual([expect.objectContaining({ kind: 'check-pid' })]);
  });

  it('says "restart redis-server" when only the live process has the old limit', async () => {
    const host = track(debian12());
    host.write('/etc/security/limits.conf', '* - nofile 102400\n');
    redisProcess(host, 4242, { uid: 104, soft: '1024', hard: '524288' });
    const tuner = new HostTuner({ root: host.root, settings: ['nofile'], pid: 4242 });
    expect(await item(tuner, 'nofile')).toMatchObject({ ok: false, process: '1024', current: '102400' });
    const plan = await tuner.plan();
    expect(plan.edits).toEqual([]);
    expect(plan.manual).toEqual([expect.objectContaining({ kind: 'restart-redis', settings: ['nofile'], command: 'systemctl restart redis-server' })]);
    expect((await new HostTuner({ root: host.root, settings: ['nofile'], pid: 4242, dryRun: true }).apply()).preview).toEqual([expect.stringMatching(/^manual: restart redis-server/)]);
  });
});

describe('HostTuner: transparent huge pages at boot', () => {
  it('does not count a commented-out line, or one after exit 0, as persisted', async () => {
    const host = track(debian12());
    host.write('/sys/kernel/mm/transparent_hugepage/enabled', 'always madvise [never]\n');
    host.write('/etc/rc.local', '#!/bin/sh -e\n# echo never > /sys/kernel/mm/transparent_hugepage/enabled\nexit 0\n', 0o755);
    const tuner = new HostTuner({ root: host.root, settings: ['thp'] });
    expect(await item(tuner, 'thp')).toMatchObject({ ok: false, persisted: undefined, conflicts: [expect.stringContaining('commented out')] });
    host.write('/etc/rc.local', '#!/bin/sh -e\nexit 0\necho never > /sys/kernel/mm/transparent_hugepage/enabled\n', 0o755);
    expect(await item(tuner, 'thp')).toMatchObject({ ok: false, conflicts: [expect.stringContaining('after "exit 0" (line 2)')] });
  });

  it('puts the line before exit 0, and the printed command does the same edit', async () => {
    const host = track(debian12());
    const text = '#!/bin/sh -e\n#\n# rc.local\n#\n/usr/local/bin/start-agent &\n\nexit 0\n';
    host.write('/etc/rc.local', text, 0o755);
    host.write('/tmp/rc.local.copy', text, 0o755);
    const tuner = new HostTuner({ root: host.root, settings: ['thp'] });
    const plan = await tuner.plan();
    const edit = plan.edits.find((e) => e.kind === 'persist')!;
    await tuner.apply(plan);
    const applied = read(host, '/etc/rc.local');
    expect(applied).toBe('#!/bin/sh -e\n#\n# rc.local\n#\n/usr/local/bin/start-agent &\n\necho never > /sys/kernel/mm/transparent_hugepage/enabled\nexit 0\n');
    expect((await tuner.verify()).ok).toBe(true);
    expect(plan.manual.map((s) => s.kind)).toEqual(['restart-redis']);
    const shell = spawnSync('sh', ['-c', edit.command.replaceAll('/etc/rc.local', join(host.root, 'tmp/rc.local.copy'))], { encoding: 'utf8' });
    expect(shell.status).toBe(0);
    expect(read(host, '/tmp/rc.local.copy')).toBe(applied);
  });

  it('writes a shebang into an rc.local without one; the printed command too', async () => {
    const host = track(debian12());
    host.write('/etc/rc.local', 'sysctl -w vm.swappiness=10\n', 0o644);
    copyFileSync(join(host.root, 'etc/rc.local'), join(host.root, 'tmp-copy'));
    const tuner = new HostTuner({ root: host.root, settings: ['thp'] });
    expect((await item(tuner, 'thp')).conflicts).toEqual([]);
    const edit = (await tuner.plan()).edits.find((e) => e.kind === 'persist')!;
    await tuner.apply();
    expect(read(host, '/etc/rc.local')).toBe('#!/bin/sh -e\nsysctl -w vm.swappiness=10\necho never > /sys/kernel/mm/transparent_hugepage/enabled\nexit 0\n'.replace('\nexit 0\n', '\nexit 0\n'));
    expect(statSync(join(host.root, 'etc/rc.local')).mode & 0o111).toBe(0o111);
    const shell = spawnSync('sh', ['-c', edit.command.replaceAll('/etc/rc.local', join(host.root, 'tmp-copy'))], { encoding: 'utf8' });
    expect(shell.status).toBe(0);
    expect(read(host, '/tmp-copy').split('\n')[0]).toBe('#!/bin/sh -e');
    expect(read(host, '/tmp-copy')).toContain('echo never > /sys/kernel/mm/transparent_hugepage/enabled');
  });

  it('on RHEL 9 edits rc.d/rc.local through the /etc/rc.local link and makes it executable', async () => {
    const host = track(rhel9());
    const tuner = new HostTuner({ root: host.root, settings: ['thp'] });
    await tuner.apply();
    expect(lstatSync(join(host.root, 'etc/rc.local')).isSymbolicLink()).toBe(true);
    const text = read(host, '/etc/rc.d/rc.local');
    expect(text.startsWith('#!/bin/bash\n')).toBe(true);
    expect(text).toContain('touch /var/lock/subsys/local\necho never > /sys/kernel/mm/transparent_hugepage/enabled\nexit 0\n');
    expect(statSync(join(host.root, 'etc/rc.d/rc.local')).mode & 0o100).toBe(0o100);
    expect((await tuner.verify()).ok).toBe(true);
  });

  it('offers a systemd unit instead of rc.local', async () => {
    const host = track(debian12());
    const tuner = new HostTuner({ root: host.root, settings: ['thp'], thpBoot: 'systemd' });
    const plan = await tuner.plan();
    expect(plan.edits.find((e) => e.kind === 'persist')?.command).toContain('systemctl enable redis-cluster-ops-thp.service');
    await tuner.apply(plan);
    expect(read(host, '/etc/systemd/system/redis-cluster-ops-thp.service')).toContain("ExecStart=/bin/sh -c 'echo never > /sys/kernel/mm/transparent_hugepage/enabled'");
    expect(lstatSync(join(host.root, 'etc/systemd/system/multi-user.target.wants/redis-cluster-ops-thp.service')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(host.root, 'etc/rc.local'))).toBe(false);
    expect((await tuner.verify()).ok).toBe(true);
  });
});

describe('HostTuner.rollback()', () => {
  it('puts back the old /proc and /sys values and files, and removes the files it created', async () => {
    const host = track(rhel9());
    const before = {
      somaxconn: read(host, '/proc/sys/net/core/somaxconn'),
      overcommit: read(host, '/proc/sys/vm/overcommit_memory'),
      rcLocal: read(host, '/etc/rc.d/rc.local'),
    };
    const tuner = new HostTuner({ root: host.root });
    const result = await tuner.apply();
    expect(result.undo.map((u) => [u.kind, u.file, u.before === null ? null : u.before.slice(0, 12)])).toEqual([
      ['persist', '/etc/security/limits.d/99-redis-cluster-ops.conf', null],
      ['now', '/proc/sys/net/core/somaxconn', '4096'],
      ['persist', '/etc/sysctl.d/99-zz-redis-cluster-ops.conf', null],
      ['now', '/proc/sys/vm/overcommit_memory', '0'],
      ['persist', '/etc/sysctl.d/99-zz-redis-cluster-ops.conf', 'net.core.som'],
      ['now', '/sys/kernel/mm/transparent_hugepage/enabled', 'always'],
      ['persist', '/etc/rc.d/rc.local', '#!/bin/bash\n'],
    ]);
    expect((await tuner.verify()).ok).toBe(true);
    // A later process can roll back from the serialized record.
    const restored = await new HostTuner({ root: host.root }).rollback(JSON.parse(JSON.stringify(result.undo)));
    expect(restored.restored).toHaveLength(7);
    expect(read(host, '/proc/sys/net/core/somaxconn')).toBe(before.somaxconn);
    expect(read(host, '/proc/sys/vm/overcommit_memory')).toBe(before.overcommit);
    expect(read(host, '/sys/kernel/mm/transparent_hugepage/enabled').trim()).toBe('always');
    expect(read(host, '/etc/rc.d/rc.local')).toBe(before.rcLocal);
    expect(existsSync(join(host.root, 'etc/sysctl.d/99-zz-redis-cluster-ops.conf'))).toBe(false);
    expect(existsSync(join(host.root, 'etc/security/limits.d/99-redis-cluster-ops.conf'))).toBe(false);
    expect(existsSync(join(host.root, 'etc/security/limits.d/20-nproc.conf'))).toBe(true);
  });
});
