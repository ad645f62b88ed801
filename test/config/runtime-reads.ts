/**
 * Which fields of the configuration model (the types exported by config/model.ts, `GlobalDefs` included) the
 * runtime reads, as the TypeScript compiler sees it: every property access and destructuring in the runtime's
 * files is resolved by the compiler's checker (typescript's API, over this project's tsconfig.json).
 *
 * - A direct read: the accessed property is the model's own (`instance.garpMasterDelay` on a VrrpInstance).
 * - A structural read: a model value is passed to a function whose parameter is a type of the runtime's own,
 *   made of fields of the model type (`notifyScripts(o: { notifyMaster?: Script … })` called with a
 *   VrrpInstance), and the runtime reads a field on that type.
 *
 * A field read only by config/ (finalization, rendering) is not read by the runtime: it does nothing.
 */
import { API, SymbolFlags, type Checker, type Project, type Symbol as TsSymbol, type Type } from 'typescript/unstable/sync';
import { isBindingElement, isCallExpression, isIdentifier, isNewExpression, isPropertyAccessExpression } from 'typescript/unstable/ast/is';
import type { Node } from 'typescript/unstable/ast';
import { join, relative } from 'node:path';

export interface RuntimeReads {
  /** `Type.field` → runtime files (relative to the root) that read it; structural reads are marked `(structural)`. */
  readonly fields: ReadonlyMap<string, ReadonlySet<string>>;
}

interface ModelType {
  readonly name: string;
  readonly type: Type;
  /** Property name → symbol id. */
  readonly properties: ReadonlyMap<string, number>;
}

function aliased(checker: Checker, s: TsSymbol): TsSymbol {
  return s.flags & SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

/** The model's object types: its interfaces, `GlobalDefs`, and the object members of its union aliases. */
function modelTypes(project: Project, modelFile: string): ModelType[] {
  const checker = project.checker;
  const source = project.program.getSourceFile(modelFile);
  const moduleSymbol = source ? checker.getSymbolAtLocation(source) : undefined;
  if (!moduleSymbol) throw new Error(`cannot read ${modelFile} through the compiler`);
  const out: ModelType[] = [];
  const add = (name: string, type: Type): void => {
    const properties = new Map(checker.getPropertiesOfType(type).map((p) => [p.name, p.id] as const));
    if (properties.size > 0) out.push({ name, type, properties });
  };
  for (const [name, exported] of moduleSymbol.getExports()) {
    const s = aliased(checker, exported);
    if (!(s.flags & (SymbolFlags.Interface | SymbolFlags.TypeAlias))) continue;
    const type = checker.getDeclaredTypeOfSymbol(s);
    if (type.isUnionType()) {
      // VirtualServerAddress, VirtualServerGroupEntry, Checker: the members' fields; string unions have none.
      for (const member of type.getTypes()) if (member.isObjectType()) add(name, member);
    } else if (type.isObjectType() || type.isIntersectionType()) add(name, type);
  }
  return out;
}

/** Every source file of the project under one of `folders` (relative to `root`). */
function runtimeFiles(project: Project, root: string, folders: readonly string[]): string[] {
  return project.program.getSourceFileNames().filter((f) => {
    const rel = relative(root, f).split('\\').join('/');
    return !rel.startsWith('..') && folders.some((folder) => rel.startsWith(folder));
  });
}

interface Access {
  /** The property's name node. */
  readonly name: Node;
  /** The object it is read from. */
  readonly receiver: Node;
}

/** `const { field } = value`: the field's name and the pattern (its type is the value's). */
interface Destructuring {
  readonly field: string;
  readonly pattern: Node;
}

const textOf = (n: Node): string => (n as Node & { readonly text: string }).text;

/** The property reads of a file (`a.b` and destructurings), and the arguments of its calls. */
function nodesOf(file: Node): { accesses: Access[]; destructurings: Destructuring[]; args: Node[] } {
  const accesses: Access[] = [];
  const destructurings: Destructuring[] = [];
  const args: Node[] = [];
  const visit = (n: Node): void => {
    if (isCallExpression(n) || isNewExpression(n)) args.push(...(n.arguments ?? []));
    if (isPropertyAccessExpression(n)) accesses.push({ name: n.name, receiver: n.expression });
    else if (isBindingElement(n) && n.parent !== undefined) {
      // The name of `{ field }` is the new variable's, so the field is looked up on the destructured type.
      const name: Node | undefined = n.propertyName ?? (n.name !== undefined && isIdentifier(n.name) ? n.name : undefined);
      if (name && isIdentifier(name)) destructurings.push({ field: textOf(name), pattern: n.parent });
    }
    n.forEachChild((child) => {
      visit(child);
      return undefined;
    });
  };
  visit(file);
  return { accesses, destructurings, args };
}

/** Reads of model fields by the files under `folders`, for the project whose tsconfig.json is in `root`. */
export function runtimeReads(root: string, folders: readonly string[]): RuntimeReads {
  const api = new API({ cwd: root });
  try {
    const snapshot = api.updateSnapshot({ openProject: join(root, 'tsconfig.json') });
    const project = snapshot.getProjects()[0];
    if (!project) throw new Error('no TypeScript project in tsconfig.json');
    const checker = project.checker;
    const models = modelTypes(project, join(root, 'config/model.ts'));
    const namesById = new Map<number, string[]>();
    const modelFields = new Set<string>();
    const modelsByType = new Map<number, ModelType[]>();
    for (const m of models) {
      modelsByType.set(m.type.id, [...(modelsByType.get(m.type.id) ?? []), m]);
      for (const [field, id] of m.properties) {
        namesById.set(id, [...(namesById.get(id) ?? []), `${m.name}.${field}`]);
        modelFields.add(field);
      }
    }
    const fields = new Map<string, Set<string>>();
    const read = (field: string, file: string): void => {
      const files = fields.get(field) ?? new Set<string>();
      files.add(file);
      fields.set(field, files);
    };
    /** Types of the runtime's own that model values are passed as (type id → the model types). */
    const views = new Map<number, ModelType[]>();
    const candidates: { readonly receiver: number; readonly field: string; readonly file: string }[] = [];
    for (const file of runtimeFiles(project, root, folders)) {
      const source = project.program.getSourceFile(file);
      if (!source) continue;
      const rel = relative(root, file).split('\\').join('/');
      const { accesses, destructurings, args } = nodesOf(source);
      const symbols = accesses.length > 0 ? checker.getSymbolAtLocation(accesses.map((a) => a.name)) : [];
      const structural: Access[] = [];
      accesses.forEach((access, i) => {
        const symbol = symbols[i];
        if (!symbol) return;
        const names = namesById.get(symbol.id);
        if (names) for (const name of names) read(name, rel);
        else if (modelFields.has(symbol.name)) structural.push(access);
      });
      if (structural.length > 0) {
        const receiverTypes = checker.getTypeAtLocation(structural.map((a) => a.receiver));
        structural.forEach((access, i) => {
          const receiver = receiverTypes[i];
          if (receiver) candidates.push({ receiver: receiver.id, field: textOf(access.name), file: rel });
        });
      }
      const ofModelFields = destructurings.filter((d) => modelFields.has(d.field));
      const patternTypes = ofModelFields.length > 0 ? checker.getTypeAtLocation(ofModelFields.map((d) => d.pattern)) : [];
      ofModelFields.forEach((d, i) => {
        const type = patternTypes[i];
        const symbol = type ? checker.getPropertyOfType(type, d.field) : undefined;
        const names = symbol ? namesById.get(symbol.id) : undefined;
        if (names) for (const name of names) read(name, rel);
        else if (type) candidates.push({ receiver: type.id, field: d.field, file: rel });
      });
      // A model value handed to a function whose parameter is a type of the runtime's own: that type is a view.
      const argTypes = args.length > 0 ? checker.getTypeAtLocation(args) : [];
      args.forEach((arg, i) => {
        const passed = modelsByType.get(argTypes[i]?.id ?? -1);
        if (!passed) return;
        const target = checker.getContextualType(arg as Parameters<Checker['getContextualType']>[0]);
        if (!target || modelsByType.has(target.id)) return;
        const targetFields = checker.getPropertiesOfType(target).map((p) => p.name);
        const fitting = passed.filter((m) => targetFields.every((f) => m.properties.has(f)));
        if (fitting.length > 0) views.set(target.id, [...(views.get(target.id) ?? []), ...fitting]);
      });
    }
    for (const c of candidates) {
      for (const m of views.get(c.receiver) ?? []) if (m.properties.has(c.field)) read(`${m.name}.${c.field}`, `${c.file} (structural)`);
    }
    return { fields };
  } finally {
    api.close();
  }
}
