import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidUriError, ObjectNotFoundError } from './errors.ts';
import { openStore } from './open.ts';
import { scopedStore } from './scoped.ts';

describe('LocalStore specifics', () => {
  it('never lists files being written, and reserves their marker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-local-'));
    const store = openStore(dir);
    await store.put('a/done.bin', 'x');
    writeFileSync(join(dir, 'a', 'done.bin.id3tmp-0123456789ab'), 'half'); // what a killed put leaves
    const keys: string[] = [];
    for await (const o of store.list('')) keys.push(o.key);
    expect(keys).toEqual(['a/done.bin']);
    await expect(store.put('x.id3tmp-1', 'y')).rejects.toBeInstanceOf(InvalidUriError);
  });

  it('leaves no temporary file behind after puts and conditional creates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-local-'));
    const store = openStore(dir);
    await store.put('k', 'one');
    await store.putIfAbsent('m', 'two');
    await store.putIfAbsent('m', 'three').catch(() => {});
    expect(readdirSync(dir).sort()).toEqual(['k', 'm']);
  });

  it('removes the folders a delete leaves empty, and only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-local-'));
    const store = openStore(dir);
    await store.put('ckpt/step-1/weights.bin', 'w');
    await store.put('ckpt/step-2/weights.bin', 'w');
    await store.put('ckpt/step-2/meta.json', 'm');
    await store.delete('ckpt/step-1/weights.bin');
    await store.delete('ckpt/step-2/meta.json');
    expect(readdirSync(join(dir, 'ckpt'))).toEqual(['step-2']);
    await store.delete('ckpt/step-2/weights.bin');
    expect(readdirSync(dir)).toEqual([]); // the root itself stays
    await store.put('ckpt/step-3/weights.bin', 'again'); // and writing re-creates what was pruned
    expect(new TextDecoder().decode(await store.get('ckpt/step-3/weights.bin'))).toBe('again');
  });

  it('keeps a folder that a concurrent writer is filling', async () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'id3-local-')));
    await store.put('d/a', 'x');
    const writes = Array.from({ length: 50 }, (_, i) => store.put(`d/b${i}`, 'y'));
    await Promise.all([store.delete('d/a'), ...writes]);
    const keys: string[] = [];
    for await (const o of store.list('d/')) keys.push(o.key);
    expect(keys).toHaveLength(50);
  });

  it('treats a folder as no object', async () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'id3-local-')));
    await store.put('dir/file', 'x');
    expect(await store.head('dir')).toBeUndefined();
    await expect(store.get('dir')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });
});

describe('scopedStore', () => {
  it('maps keys, URIs and listings under a prefix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-scoped-'));
    const parent = openStore(dir);
    const child = scopedStore(parent, 'checkpoints');
    await child.put('step-1/a', 'x');
    await parent.put('checkpointsX/b', 'not in the scope');
    expect(Buffer.from(await parent.get('checkpoints/step-1/a')).toString()).toBe('x');
    expect(child.uri('latest')).toBe(join(dir, 'checkpoints', 'latest'));
    expect(child.root).toBe(join(dir, 'checkpoints'));
    const keys: string[] = [];
    for await (const o of child.list('')) keys.push(o.key);
    expect(keys).toEqual(['step-1/a']);
    expect((await child.head('step-1/a'))?.key).toBe('step-1/a');
  });
});
