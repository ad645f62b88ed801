/**
 * Declarative keyword values for the long, flat blocks (global_defs): each spec says how to read the keyword's
 * words and, optionally, the default keepalived applies. The model's field types are derived from the specs.
 */
import type { Diagnostics } from '../diagnostics.js';
import type { ConfigLine } from '../reader.js';
import { address, boolean, integer, script, seconds, word } from '../values.js';
import type { Script } from '../model.js';

export interface Spec<T> {
  readonly read: (line: ConfigLine, diagnostics: Diagnostics) => T | undefined;
}

export interface DefaultedSpec<T> extends Spec<T> {
  readonly default: T;
}

export type SpecValue<S> = S extends Spec<infer T> ? T : never;

/** snake_case → camelCase at the type level (keepalived keyword → model field). */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

export function camelCase(keyword: string): string {
  return keyword.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The record type of a spec table: fields with a default are required, the others optional. */
export type ModelOf<Table> = {
  readonly [K in keyof Table as Table[K] extends DefaultedSpec<unknown> ? CamelCase<K & string> : never]: SpecValue<Table[K]>;
} & {
  readonly [K in keyof Table as Table[K] extends DefaultedSpec<unknown> ? never : CamelCase<K & string>]?: SpecValue<Table[K]> | undefined;
};

export function withDefault<T>(spec: Spec<T>, value: T): DefaultedSpec<T> {
  return { read: spec.read, default: value };
}

/** Keyword alone: true. */
export const flag: DefaultedSpec<boolean> = { read: () => true, default: false };

/** Optional <BOOL>, missing means true. */
export const bool: Spec<boolean> = { read: (line, d) => boolean(line, 1, d) };

export const text: Spec<string> = { read: (line, d) => word(line, 1, d) };

/** An optional word: the word, or true when absent. */
export const optionalText: Spec<string | true> = { read: (line) => line.words[1] ?? true };

export const words: Spec<string[]> = { read: (line) => line.words.slice(1) };

export function uint(min: number, max: number): Spec<number> {
  return { read: (line, d) => integer(line, 1, min, max, d) };
}

export function int(min: number, max: number): Spec<number> {
  return { read: (line, d) => integer(line, 1, min, max, d) };
}

export function uints(min: number, max: number): Spec<number[]> {
  return {
    read: (line, d) => {
      const out: number[] = [];
      for (let i = 1; i < line.words.length; i++) {
        const v = integer(line, i, min, max, d);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    },
  };
}

export function secs(min: number, max: number): Spec<number> {
  return { read: (line, d) => seconds(line, 1, min, max, d) };
}

export const ip: Spec<string> = { read: (line, d) => address(line.words[1], line, d, line.words[0]!)?.address };

export const scriptSpec: Spec<Script> = { read: (line, d) => script(line, 1, d) };

export function oneOf<const T extends string>(values: readonly T[]): Spec<T> {
  return {
    read: (line, d) => {
      const w = word(line, 1, d);
      if (w === undefined) return undefined;
      if ((values as readonly string[]).includes(w)) return w as T;
      d.error(line, `${line.words[0]}: '${w}' is not one of ${values.join('|')}`);
      return undefined;
    },
  };
}

export function custom<T>(read: (line: ConfigLine, d: Diagnostics) => T | undefined): Spec<T> {
  return { read };
}
