import { join } from 'node:path';
import ts from 'typescript';
import { K8sObject, idOf, isRecord } from './k8s-object';

/**
 * Finds fields the Kubernetes API does not know (`readinesProbe`, `containerport`), which the schema
 * validation of kubernetes-models lets through (its schemas allow additional properties) and the API
 * server drops or, with kubectl's strict field validation, rejects. The field names come from the
 * TypeScript interfaces kubernetes-models ships (`IDeployment`, `IContainer`, …), read with the
 * TypeScript checker: one program over those declaration files, built once.
 */
export class UnknownFieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly roots = new Map<string, ts.Type>();

  constructor(kinds: ReadonlyArray<{ apiVersion: string; kind: string }>) {
    const unique = [...new Map(kinds.map((k) => [`${k.apiVersion}/${k.kind}`, k])).values()];
    // A file that does not exist, beside this one, so that `kubernetes-models` resolves from here.
    const virtualFile = join(__dirname, '__k8s_roots__.ts').replace(/\\/g, '/');
    const source = unique
      .map(({ apiVersion, kind }, i) => `import type { I${kind} as R${i} } from 'kubernetes-models/${apiVersion}/${kind}';\nexport type Root${i} = R${i};`)
      .join('\n');
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, language, onError, shouldCreate) =>
      fileName === virtualFile ? ts.createSourceFile(fileName, source, language) : readFile(fileName, language, onError, shouldCreate);
    const program = ts.createProgram([virtualFile], options, host);
    this.checker = program.getTypeChecker();
    const file = program.getSourceFile(virtualFile);
    const aliases = file?.statements.filter(ts.isTypeAliasDeclaration) ?? [];
    unique.forEach(({ apiVersion, kind }, i) => {
      const type = aliases[i] ? this.checker.getTypeFromTypeNode(aliases[i].type) : undefined;
      if (!type || type.flags & ts.TypeFlags.Any) throw new Error(`kubernetes-models has no interface I${kind} for ${apiVersion}`);
      this.roots.set(`${apiVersion}/${kind}`, type);
    });
  }

  /** `Kind/name: .path.to.field: unknown field` for every field the API does not define. */
  problems(object: K8sObject): string[] {
    const root = this.roots.get(`${object.apiVersion}/${object.kind}`);
    if (!root) return [`${idOf(object)}: no interface loaded for ${object.apiVersion} ${object.kind}`];
    const problems: string[] = [];
    this.walk(object, root, '', (path) => problems.push(`${idOf(object)}: ${path}: unknown field`));
    return problems;
  }

  private walk(value: unknown, declared: ts.Type, path: string, report: (path: string) => void): void {
    if (typeof value !== 'object' || value === null) return;
    const type = this.checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (Array.isArray(value)) {
      const element = this.checker.getIndexTypeOfType(type, ts.IndexKind.Number);
      if (element) value.forEach((item, i) => this.walk(item, element, `${path}[${i}]`, report));
      return; // a list where the schema wants no list is the schema validation's to report
    }
    if (!isRecord(value)) return;
    const candidates = type.isUnion() ? type.types : [type];
    for (const [key, child] of Object.entries(value)) {
      const childType = this.fieldType(candidates, key);
      if (childType) this.walk(child, childType, `${path}.${key}`, report);
      else report(`${path}.${key}`);
    }
  }

  private fieldType(candidates: readonly ts.Type[], key: string): ts.Type | undefined {
    for (const candidate of candidates) {
      const property = this.checker.getPropertyOfType(candidate, key);
      if (property) return this.checker.getTypeOfSymbol(property);
      const index = this.checker.getIndexTypeOfType(candidate, ts.IndexKind.String);
      if (index) return index;
    }
    return undefined;
  }
}
