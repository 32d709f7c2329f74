import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { K8sObject, isK8sObject } from './k8s-object';

/**
 * Every document of a (multi-document) YAML file, as plain data. Parsed as YAML 1.1, the way the
 * Kubernetes tooling reads manifests, so an unquoted `yes` or `on` becomes the boolean it becomes
 * there (and fails the schema where a string is due). Duplicate keys and syntax errors throw.
 */
export function loadYamlDocuments(file: string): unknown[] {
  const documents = Array.from(parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1', prettyErrors: true }));
  for (const document of documents) {
    const [problem] = [...document.errors, ...document.warnings];
    if (problem) throw new Error(`${file}: ${problem.message}`);
  }
  return documents.map((document) => document.toJS() as unknown).filter((value) => value !== null && value !== undefined);
}

/** The Kubernetes objects of a manifest file; a document without apiVersion, kind and name throws. */
export function loadK8sObjects(file: string): K8sObject[] {
  return loadYamlDocuments(file).map((document, index) => {
    if (!isK8sObject(document)) throw new Error(`${file}: document ${index + 1} is not a Kubernetes object (apiVersion, kind, metadata.name)`);
    return document;
  });
}
