import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import os = require('node:os');
import { dirname, join } from 'node:path';
import { FakeClock, flushMicrotasks, systemClock } from '@app/clock';
import { ConvertibleFormat } from '../audio/audio-converter';
import { encodeG711 } from '../audio/g711.codec';
import { MP3_SAMPLE_RATE_HZ } from './ffmpeg-mp3.job';
import { Mp3EncodeError } from './mp3-encode.error';
import { ENCODE_TIMEOUT_MS, Mp3Encoder } from './mp3-encoder';

const FFMPEG = '/usr/bin/ffmpeg';
/** The brief's bound on decoded length vs input: MP3 adds ~23 ms of codec delay and < 24 ms of frame padding at 48 kHz. */
const DURATION_TOLERANCE_MS = 60;

/** A 440 Hz tone of `ms` at `rateHz`, as 16-bit samples. */
function tone(ms: number, rateHz: number): Int16Array {
  const samples = new Int16Array(Math.round((ms * rateHz) / 1000));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rateHz));
  return samples;
}

function audioIn(format: ConvertibleFormat, ms: number): Buffer {
  if (format === 'ulaw_8000') return encodeG711('PCMU', tone(ms, 8000));
  if (format === 'alaw_8000') return encodeG711('PCMA', tone(ms, 8000));
  const samples = tone(ms, Number(format.slice('pcm_'.length)));
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength); // little-endian on every CI host we run
}

/** Decodes with ffmpeg, letting it probe the format: returns the probed format name and the length in ms. */
function decode(mp3: Buffer): { probed: string; durationMs: number } {
  const result = spawnSync(FFMPEG, ['-hide_banner', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '8000', 'pipe:1'], {
    input: mp3,
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(result.status).toBe(0);
  const probed = /Input #0, (\w+)/.exec(result.stderr.toString())?.[1] ?? '';
  return { probed, durationMs: result.stdout.length / 2 / 8 };
}

/** Real time for a child process to have been spawned (it takes a few ms; generous for a loaded CI host). */
const SPAWNED_MS = 150;
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls real time (a child process exiting is real-world I/O); fails the test after `limitMs`. */
async function waitFor(condition: () => boolean, limitMs = 5_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Mp3Encoder with the real ffmpeg', () => {
  const realTmp = os.tmpdir();
  const sandbox = mkdtempSync(join(realTmp, 'mp3-encoder-spec-'));

  beforeAll(() => {
    // Any temp file our code or fluent-ffmpeg makes goes through os.tmpdir(): point it at an empty
    // directory of our own, so "nothing left behind" is exact although other test runs share /tmp.
    jest.spyOn(os, 'tmpdir').mockReturnValue(sandbox);
  });

  afterAll(() => {
    jest.restoreAllMocks();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it.each<[ConvertibleFormat, number]>([
    ['ulaw_8000', 730],
    ['alaw_8000', 1370],
    ['pcm_8000', 50],
    ['pcm_16000', 2010],
    ['pcm_22050', 455],
    ['pcm_24000', 999],
  ])('turns %s (%i ms) into MP3 frames that decode to the same length', async (format, ms) => {
    expect(os.tmpdir()).toBe(sandbox);
    const mp3 = await new Mp3Encoder({ clock: systemClock }).encode(audioIn(format, ms), format);

    // Bare MPEG-1 Layer III frames: 11-bit sync 0xFFE, version 11 (MPEG-1), layer 01 (III), 48 kHz (index 01).
    expect(mp3.readUInt16BE(0) & 0xffe0).toBe(0xffe0);
    expect((mp3[1] >> 3) & 0b11).toBe(0b11);
    expect((mp3[1] >> 1) & 0b11).toBe(0b01);
    expect((mp3[2] >> 2) & 0b11).toBe(0b01);
    expect(MP3_SAMPLE_RATE_HZ).toBe(48_000);

    const decoded = decode(mp3);
    expect(decoded.probed).toBe('mp3');
    expect(Math.abs(decoded.durationMs - ms)).toBeLessThanOrEqual(DURATION_TOLERANCE_MS);
    expect(readdirSync(sandbox)).toEqual([]);
  });

  it('leaves no temporary file behind, after successes and failures alike', async () => {
    // ffmpeg itself only gets pipe:0 / pipe:1; its own temp use would land in the real tmpdir, so that
    // listing is compared too, restricted to names an encoder could produce (other runs share /tmp).
    const ours = (names: string[]) => names.filter((name) => /ffmpeg|mp3|lame|fluent/i.test(name) && !name.startsWith('mp3-encoder-spec-'));
    const realBefore = ours(readdirSync(realTmp));
    const encoder = new Mp3Encoder({ clock: systemClock });
    await Promise.all([1, 2, 3].map(() => encoder.encode(audioIn('ulaw_8000', 400), 'ulaw_8000')));
    await expect(new Mp3Encoder({ clock: systemClock, ffmpegPath: '/bin/false' }).encode(audioIn('ulaw_8000', 400), 'ulaw_8000')).rejects.toThrow(Mp3EncodeError);
    expect(readdirSync(sandbox)).toEqual([]);
    expect(ours(readdirSync(realTmp))).toEqual(realBefore);
  });

  it('runs at most maxConcurrent ffmpeg processes and queues the rest', async () => {
    const encoder = new Mp3Encoder({ clock: systemClock, maxConcurrent: 2 });
    const jobs = [1, 2, 3, 4, 5].map(() => encoder.encode(audioIn('ulaw_8000', 300), 'ulaw_8000'));
    await flushMicrotasks(1);
    expect(encoder.load).toEqual({ running: 2, waiting: 3 });
    expect((await Promise.all(jobs)).every((mp3) => mp3.length > 0)).toBe(true);
    await flushMicrotasks();
    expect(encoder.load).toEqual({ running: 0, waiting: 0 });
  });

  it('reports a missing binary as binary-missing, not retryable, without spawning', async () => {
    const encoder = new Mp3Encoder({ clock: systemClock, ffmpegPath: '/nonexistent/bin/ffmpeg' });
    expect(encoder.binary.found).toBe(false);
    const error = await encoder.encode(audioIn('ulaw_8000', 100), 'ulaw_8000').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Mp3EncodeError);
    expect(error).toMatchObject({ category: 'binary-missing', retryable: false });
    await expect(encoder.verify()).rejects.toMatchObject({ category: 'binary-missing' });
  });

  it('reports a binary that vanished after a successful encode as binary-missing, not a crash', async () => {
    // Symptom: fluent-ffmpeg 2.1.3 throws an uncaught TypeError when its spawn fails once its capability
    // cache is warm (upstream #1316). Fix: the binary is checked again before every spawn.
    const dir = mkdtempSync(join(sandbox, 'bin-'));
    const binary = join(dir, 'ffmpeg');
    copyFileSync(FFMPEG, binary);
    chmodSync(binary, 0o755);
    const encoder = new Mp3Encoder({ clock: systemClock, ffmpegPath: binary });
    await encoder.encode(audioIn('ulaw_8000', 100), 'ulaw_8000');
    rmSync(binary);
    await expect(encoder.encode(audioIn('ulaw_8000', 100), 'ulaw_8000')).rejects.toMatchObject({ category: 'binary-missing', retryable: false });
    rmdirSync(dir);
  });

  it('checks the binary again after waiting for a slot', async () => {
    const dir = mkdtempSync(join(sandbox, 'bin-'));
    const binary = join(dir, 'ffmpeg');
    copyFileSync(FFMPEG, binary);
    chmodSync(binary, 0o755);
    const encoder = new Mp3Encoder({ clock: systemClock, ffmpegPath: binary, maxConcurrent: 1 });
    const long = encoder.encode(audioIn('pcm_24000', 120_000), 'pcm_24000'); // long enough to still run below
    const waiting = encoder.encode(audioIn('ulaw_8000', 100), 'ulaw_8000');
    await realDelay(SPAWNED_MS);
    rmSync(binary); // the running process is unaffected; the waiting encode must not spawn a missing file
    await expect(long).resolves.toBeInstanceOf(Buffer);
    await expect(waiting).rejects.toMatchObject({ category: 'binary-missing' });
    rmdirSync(dir);
  });

  it('reports ffmpeg failing as process-failed, and ffmpeg producing nothing likewise', async () => {
    const failing = new Mp3Encoder({ clock: systemClock, ffmpegPath: '/bin/false' });
    await expect(failing.encode(audioIn('ulaw_8000', 100), 'ulaw_8000')).rejects.toMatchObject({ category: 'process-failed', retryable: false });
    const silent = new Mp3Encoder({ clock: systemClock, ffmpegPath: '/bin/true' });
    await expect(silent.encode(audioIn('ulaw_8000', 100), 'ulaw_8000')).rejects.toMatchObject({ category: 'process-failed' });
  });

  it('refuses input it cannot encode before starting anything', async () => {
    const encoder = new Mp3Encoder({ clock: systemClock });
    await expect(encoder.encode(Buffer.alloc(0), 'ulaw_8000')).rejects.toMatchObject({ category: 'invalid-input' });
    await expect(encoder.encode(Buffer.alloc(3), 'pcm_16000')).rejects.toMatchObject({ category: 'invalid-input' });
    await expect(encoder.encode(Buffer.alloc(4), 'mp3_44100_128' as ConvertibleFormat)).rejects.toMatchObject({ category: 'invalid-input' });
    expect(encoder.load.running).toBe(0);
  });

  /**
   * A "ffmpeg" that never finishes: a script that ignores its arguments and sleeps. fluent-ffmpeg's
   * capability check is warmed with the real binary first (its cache is process-wide), so the script
   * is only spawned for the encode itself; the slot frees only once the process was really killed.
   */
  let hungFfmpeg: string;
  beforeAll(() => {
    hungFfmpeg = join(mkdtempSync(join(realTmp, 'mp3-encoder-spec-bin-')), 'hung-ffmpeg');
    writeFileSync(hungFfmpeg, '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
  });
  afterAll(() => rmSync(dirname(hungFfmpeg), { recursive: true, force: true }));

  it('kills a hung ffmpeg at the timeout (on the injected clock) and frees its slot once it is gone', async () => {
    await new Mp3Encoder({ clock: systemClock }).verify();
    const clock = new FakeClock();
    const hung = new Mp3Encoder({ clock, maxConcurrent: 1, ffmpegPath: hungFfmpeg });
    const slow = hung.encode(audioIn('ulaw_8000', 200), 'ulaw_8000');
    await realDelay(SPAWNED_MS); // the process is running: the timeout must kill it, not prevent it
    clock.advance(ENCODE_TIMEOUT_MS - 1);
    expect(hung.load.running).toBe(1);
    clock.advance(1);
    await expect(slow).rejects.toMatchObject({ category: 'timeout', retryable: true });
    expect(hung.load.running).toBe(1); // the caller is answered at once; the slot waits for the exit
    await waitFor(() => hung.load.running === 0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('aborts a running encode (killing it) and one waiting for a slot', async () => {
    await new Mp3Encoder({ clock: systemClock }).verify();
    const hung = new Mp3Encoder({ clock: systemClock, maxConcurrent: 1, ffmpegPath: hungFfmpeg });
    const controller = new AbortController();
    const running = hung.encode(audioIn('ulaw_8000', 200), 'ulaw_8000', controller.signal);
    const waiting = hung.encode(audioIn('ulaw_8000', 200), 'ulaw_8000', controller.signal);
    await flushMicrotasks(1);
    expect(hung.load).toEqual({ running: 1, waiting: 1 });
    controller.abort(); // before the process was spawned: it is killed as it starts
    await expect(running).rejects.toMatchObject({ category: 'aborted', retryable: false });
    await expect(waiting).rejects.toMatchObject({ category: 'aborted' });
    await waitFor(() => hung.load.running === 0);
    expect(hung.load.waiting).toBe(0);
  });

  it('verifies at startup that the binary has an MP3 encoder', async () => {
    await expect(new Mp3Encoder({ clock: systemClock }).verify()).resolves.toBeUndefined();
  });
});
