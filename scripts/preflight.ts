/**
 * `npm test`'s first step: the tests need three Debian packages that `npm ci` cannot install —
 * `chromium` (the e2e specs' headless browser, and the SwiftShader Vulkan driver the WebGPU
 * tests in Node load), `libvulkan1` (the loader of that driver) and `dataset-fashion-mnist` (the
 * real Fashion-MNIST files the data tests read). This checks them with dpkg and installs the
 * missing ones with apt-get, as root or through sudo when sudo needs no password; where it
 * cannot, it stops and prints the exact command to run. `NAS_LAB_SKIP_PREFLIGHT=1` skips it.
 *
 * The decision (`planPreflight`) and the run (`runPreflight`) take the system as arguments, so
 * that test/scripts/preflight.test.ts checks them without touching the machine.
 *
 * Run: `npx tsx scripts/preflight.ts` (what `npm run preflight` and `npm test` do).
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Debian packages the tests need, in the order they are installed and named. */
export const TEST_PACKAGES = ['chromium', 'libvulkan1', 'dataset-fashion-mnist'] as const;

/** What each package gives the tests, for the message of a machine without apt. */
const WHAT: Readonly<Record<(typeof TEST_PACKAGES)[number], string>> = {
  chromium: 'Chromium at /usr/bin/chromium, with its SwiftShader Vulkan driver',
  libvulkan1: 'the Vulkan loader libvulkan.so.1',
  'dataset-fashion-mnist': 'the Fashion-MNIST files in /usr/share/datasets/fashion-mnist',
};

/** What the preflight knows of the machine. */
export interface PreflightFacts {
  /** dpkg-query can say what is installed (a Debian-like system). */
  readonly dpkg: boolean;
  /** apt-get is there to install with. */
  readonly aptGet: boolean;
  /** Of TEST_PACKAGES, the ones not installed (meaningful only with `dpkg`). */
  readonly missing: readonly string[];
  readonly root: boolean;
  /** `sudo -n true` succeeds: sudo runs without asking for a password. */
  readonly sudo: boolean;
}

export type PreflightPlan =
  | { readonly action: 'ready' }
  | { readonly action: 'install'; readonly commands: readonly (readonly string[])[] }
  | { readonly action: 'stop'; readonly message: string };

const APT_ENV = ['env', 'DEBIAN_FRONTEND=noninteractive'];

/** `apt-get update` and `apt-get install` of `packages`, prefixed by `prefix` (sudo -n or nothing). */
function aptCommands(prefix: readonly string[], packages: readonly string[]): string[][] {
  const apt = [...prefix, ...APT_ENV, 'apt-get'];
  return [
    [...apt, 'update', '-q'],
    [...apt, 'install', '-y', '-q', '--no-install-recommends', ...packages],
  ];
}

/** The command a person runs to install `packages`, as one shell line. */
export function installLine(packages: readonly string[]): string {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function stopMessage(packages: readonly string[], why: string): string {
  return [
    `npm test needs the Debian packages ${packages.join(', ')}, ${why}. Run:`,
    '',
    `  ${installLine(packages)}`,
    '',
    'then npm test again.',
  ].join('\n');
}

/** What to do on a machine with these facts. */
export function planPreflight(facts: PreflightFacts): PreflightPlan {
  if (!facts.dpkg || !facts.aptGet) {
    const needs = TEST_PACKAGES.map((p) => `  - ${p}: ${WHAT[p]}`).join('\n');
    return {
      action: 'stop',
      message: [
        'npm test expects Debian (dpkg and apt-get), which this machine lacks. It needs:',
        needs,
        'Install their equivalents and run NAS_LAB_SKIP_PREFLIGHT=1 npm test, or run the tests on Debian.',
      ].join('\n'),
    };
  }
  if (facts.missing.length === 0) return { action: 'ready' };
  if (facts.root) return { action: 'install', commands: aptCommands([], facts.missing) };
  if (facts.sudo)
    return { action: 'install', commands: aptCommands(['sudo', '-n'], facts.missing) };
  return {
    action: 'stop',
    message: stopMessage(
      facts.missing,
      'and installing them needs root (sudo asks for a password)',
    ),
  };
}

/** The machine, as the preflight asks it. */
export interface PreflightSystem {
  /** Whether a command is on the PATH. */
  has(command: string): boolean;
  /** Whether dpkg says `pkg` is installed. */
  installed(pkg: string): boolean;
  isRoot(): boolean;
  /** Whether `sudo -n true` succeeds. */
  sudoWithoutPassword(): boolean;
  /** Runs a command with the terminal attached; its exit status. */
  run(argv: readonly string[]): number;
  /** The preflight's messages. */
  say(text: string): void;
  /** The environment (NAS_LAB_SKIP_PREFLIGHT). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

function factsOf(system: PreflightSystem): PreflightFacts {
  const dpkg = system.has('dpkg-query');
  const missing = dpkg ? TEST_PACKAGES.filter((p) => !system.installed(p)) : [...TEST_PACKAGES];
  const root = system.isRoot();
  return {
    dpkg,
    aptGet: system.has('apt-get'),
    missing,
    root,
    sudo: !root && missing.length > 0 && system.has('sudo') && system.sudoWithoutPassword(),
  };
}

/** Checks, installs what is missing where it can, checks again; the exit status for npm. */
export function runPreflight(system: PreflightSystem): number {
  if (system.env.NAS_LAB_SKIP_PREFLIGHT === '1') {
    system.say('preflight: skipped (NAS_LAB_SKIP_PREFLIGHT=1)');
    return 0;
  }
  const facts = factsOf(system);
  const plan = planPreflight(facts);
  if (plan.action === 'ready') return 0;
  if (plan.action === 'stop') {
    system.say(plan.message);
    return 1;
  }
  system.say(`preflight: installing ${facts.missing.join(', ')} for the tests`);
  for (const argv of plan.commands) {
    system.say(`preflight: ${argv.join(' ')}`);
    const status = system.run(argv);
    if (status !== 0) {
      system.say(stopMessage(facts.missing, `and \`${argv.join(' ')}\` failed (${status})`));
      return 1;
    }
  }
  const still = TEST_PACKAGES.filter((p) => !system.installed(p));
  if (still.length > 0) {
    system.say(stopMessage(still, 'and they are still not installed after apt-get'));
    return 1;
  }
  system.say(`preflight: installed ${facts.missing.join(', ')}`);
  return 0;
}

/** This machine. */
export const LOCAL_SYSTEM: PreflightSystem = {
  has: (command) =>
    spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0,
  installed(pkg) {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.includes('install ok installed');
  },
  isRoot: () => process.getuid?.() === 0,
  sudoWithoutPassword: () => spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
  run: (argv) => spawnSync(argv[0] ?? '', argv.slice(1), { stdio: 'inherit' }).status ?? 1,
  say: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/** Whether this file is the script node runs (not a module a test imports). */
function invokedDirectly(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) process.exitCode = runPreflight(LOCAL_SYSTEM);
