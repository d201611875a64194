/**
 * `npm test`'s preflight (scripts/preflight.ts) on pretend machines: it does nothing where the
 * packages are there, installs only the missing ones with apt-get (directly as root, through
 * `sudo -n` otherwise), and stops with the exact command to run where it cannot install, where
 * apt-get fails or leaves a package out, and on a machine without dpkg or apt-get.
 */
import { describe, expect, it } from 'vitest';
import type { PreflightSystem } from '../../scripts/preflight';
import { installLine, planPreflight, runPreflight, TEST_PACKAGES } from '../../scripts/preflight';

interface Machine {
  readonly commands?: readonly string[];
  readonly installed?: readonly string[];
  readonly root?: boolean;
  readonly sudo?: boolean;
  /** apt-get install's exit status (0: it installs what it is given). */
  readonly aptStatus?: number;
  /** Packages apt-get leaves out even when it succeeds. */
  readonly broken?: readonly string[];
  readonly env?: Record<string, string>;
}

/** A machine the preflight runs on: what it ran and said, and its packages afterwards. */
function pretend(m: Machine) {
  const installed = new Set(m.installed ?? []);
  const ran: string[] = [];
  const said: string[] = [];
  let sudoAsked = 0;
  const system: PreflightSystem = {
    has: (command) => (m.commands ?? ['dpkg-query', 'apt-get', 'sudo']).includes(command),
    installed: (pkg) => installed.has(pkg),
    isRoot: () => m.root ?? false,
    sudoWithoutPassword: () => {
      sudoAsked++;
      return m.sudo ?? false;
    },
    run(argv) {
      ran.push(argv.join(' '));
      const install = argv.indexOf('install');
      if (install < 0) return 0;
      if ((m.aptStatus ?? 0) !== 0) return m.aptStatus ?? 1;
      for (const a of argv.slice(install + 1)) {
        if (!a.startsWith('-') && !(m.broken ?? []).includes(a)) installed.add(a);
      }
      return 0;
    },
    say: (text) => said.push(text),
    env: m.env ?? {},
  };
  const status = runPreflight(system);
  return { status, ran, said: said.join('\n'), installed, sudoAsked: () => sudoAsked };
}

const ALL = [...TEST_PACKAGES];

describe('the test preflight', () => {
  it('does nothing where every package is installed', () => {
    const r = pretend({ installed: ALL });
    expect(r).toMatchObject({ status: 0, ran: [], said: '' });
    expect(r.sudoAsked()).toBe(0);
  });

  it('installs only the missing packages with apt-get as root, non-interactively', () => {
    const r = pretend({ installed: ['libvulkan1'], root: true });
    expect(r.status).toBe(0);
    expect(r.ran).toEqual([
      'env DEBIAN_FRONTEND=noninteractive apt-get update -q',
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium dataset-fashion-mnist',
    ]);
    expect([...r.installed].sort()).toEqual([...ALL].sort());
    expect(r.sudoAsked()).toBe(0);
  });

  it('goes through sudo -n when not root and sudo needs no password', () => {
    const r = pretend({ installed: ['chromium', 'libvulkan1'], sudo: true });
    expect(r.status).toBe(0);
    expect(r.ran).toEqual([
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -q',
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dataset-fashion-mnist',
    ]);
  });

  it('stops with the exact command where sudo asks for a password or is absent', () => {
    for (const m of [{ sudo: false }, { commands: ['dpkg-query', 'apt-get'], sudo: true }]) {
      const r = pretend({ installed: ['libvulkan1'], ...m });
      expect(r.status).toBe(1);
      expect(r.ran).toEqual([]);
      expect(r.said).toContain(
        '  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium dataset-fashion-mnist\n',
      );
    }
  });

  it('stops with the command when apt-get fails, or leaves a package out', () => {
    const failed = pretend({ root: true, aptStatus: 100 });
    expect(failed.status).toBe(1);
    expect(failed.said).toMatch(/apt-get install .* failed \(100\)/);
    expect(failed.said).toContain(installLine(ALL));
    const partial = pretend({ root: true, broken: ['libvulkan1'] });
    expect(partial.status).toBe(1);
    expect(partial.said).toContain(`  ${installLine(['libvulkan1'])}\n`);
    expect(partial.said).toMatch(/still not installed/);
  });

  it('says what the tests need on a machine without dpkg or apt-get', () => {
    for (const commands of [
      ['apt-get', 'sudo'],
      ['dpkg-query', 'sudo'],
    ]) {
      const r = pretend({ commands, root: true });
      expect(r.status).toBe(1);
      expect(r.ran).toEqual([]);
      expect(r.said).toMatch(/expects Debian/);
      expect(r.said).toContain('/usr/bin/chromium');
      expect(r.said).toContain('NAS_LAB_SKIP_PREFLIGHT=1 npm test');
    }
  });

  it('is skipped with NAS_LAB_SKIP_PREFLIGHT=1', () => {
    const r = pretend({ commands: [], env: { NAS_LAB_SKIP_PREFLIGHT: '1' } });
    expect(r.status).toBe(0);
    expect(r.ran).toEqual([]);
  });

  it('plans from the facts alone', () => {
    const facts = { dpkg: true, aptGet: true, missing: ['chromium'], root: false, sudo: false };
    expect(planPreflight({ ...facts, missing: [] })).toEqual({ action: 'ready' });
    expect(planPreflight(facts)).toMatchObject({ action: 'stop' });
    expect(planPreflight({ ...facts, sudo: true })).toMatchObject({ action: 'install' });
  });
});
