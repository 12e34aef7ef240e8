// Renders a kustomization directory as `kubectl apply -k` would, for the subset of kustomize
// that deploy/kubernetes uses, and refuses every other field (so nothing real kustomize would
// apply is silently skipped here):
//   resources (files and directories with their own kustomization.yaml),
//   configMapGenerator (name + files; the hash suffix kustomize adds is left out: references
//   are checked by the name written in the manifests), replicas (name + count), and
//   patches with a target (kind, name) and an inline RFC 6902 JSON patch (add, replace, remove).
// Also: the schema validation of one object (npm kubernetes-models) and a reader of the
// ledgerbridge INI subset (section.key = value; ; and # comments).
import { createRequire } from "node:module";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";

export function loadTooling(toolingDir) {
    const require = createRequire(path.join(path.resolve(toolingDir), "package.json"));
    const yaml = require("yaml");
    const modelsDir = path.dirname(require.resolve("kubernetes-models/package.json"));
    return {
        parseAllDocuments(text) {
            const docs = yaml.parseAllDocuments(text);
            for (const d of docs) if (d.errors.length) throw new Error(d.errors[0].message);
            return docs.filter((d) => d.contents !== null);
        },
        parse: (text) => yaml.parse(text),
        // kubernetes-models: one class per apiVersion/kind, its validate() runs the schema
        // compiled from Kubernetes' OpenAPI (types, required fields, enums, formats).
        validateObject(object) {
            const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
            const file = path.join(modelsDir, ...(group ? [group, version] : [version]), `${object.kind}.js`);
            let Model;
            try {
                Model = require(file)[object.kind];
            } catch {
                throw new Error(`${object.apiVersion} ${object.kind} is not a Kubernetes kind kubernetes-models knows`);
            }
            try {
                new Model(object).validate();
            } catch (e) {
                throw new Error(`${object.kind} ${object.metadata && object.metadata.name}: ${e.message}`);
            }
        },
    };
}

const kSupported = new Set(["apiVersion", "kind", "resources", "configMapGenerator", "replicas", "patches"]);

export function renderKustomization(tooling, dir) {
    const file = path.join(dir, "kustomization.yaml");
    const k = tooling.parse(readFileSync(file, "utf8"));
    for (const key of Object.keys(k))
        if (!kSupported.has(key)) throw new Error(`${file}: '${key}' is not rendered by this check (supported: ${[...kSupported].join(", ")})`);
    if (k.apiVersion !== "kustomize.config.k8s.io/v1beta1" || k.kind !== "Kustomization")
        throw new Error(`${file}: not a kustomize.config.k8s.io/v1beta1 Kustomization`);
    const objects = [];
    for (const r of k.resources || []) {
        const target = path.join(dir, r);
        if (statSync(target).isDirectory()) objects.push(...renderKustomization(tooling, target));
        else objects.push(...tooling.parseAllDocuments(readFileSync(target, "utf8")).map((d) => d.toJS()));
    }
    for (const g of k.configMapGenerator || []) {
        const data = {};
        for (const f of g.files) {
            if (f.includes("..")) throw new Error(`${file}: ${f} is outside the kustomization (kustomize refuses it)`);
            data[path.basename(f)] = readFileSync(path.join(dir, f), "utf8");
        }
        objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: g.name }, data });
    }
    const find = (kind, name) => {
        const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
        if (!o) throw new Error(`${file}: no ${kind} ${name} to change`);
        return o;
    };
    for (const r of k.replicas || []) {
        const o = objects.find((x) => x.metadata.name === r.name && ["Deployment", "StatefulSet", "ReplicaSet"].includes(x.kind));
        if (!o) throw new Error(`${file}: replicas: no workload named ${r.name}`);
        o.spec.replicas = r.count;
    }
    for (const p of k.patches || []) applyJsonPatch(find(p.target.kind, p.target.name), tooling.parse(p.patch), file);
    return objects;
}

function applyJsonPatch(object, operations, file) {
    for (const op of operations) {
        const parts = op.path.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
        const last = parts.pop();
        let parent = object;
        for (const p of parts) {
            if (parent[p] === undefined) throw new Error(`${file}: ${op.op} ${op.path}: ${p} does not exist`);
            parent = parent[p];
        }
        const isArray = Array.isArray(parent);
        if (op.op === "add") {
            if (isArray) parent.splice(last === "-" ? parent.length : Number(last), 0, op.value);
            else parent[last] = op.value;
        } else if (op.op === "replace" || op.op === "remove") {
            if (parent[last] === undefined) throw new Error(`${file}: ${op.op} ${op.path}: nothing there`);
            if (op.op === "replace") parent[last] = op.value;
            else if (isArray) parent.splice(Number(last), 1);
            else delete parent[last];
        } else {
            throw new Error(`${file}: JSON patch op '${op.op}' is not rendered by this check`);
        }
    }
}

/// "section.key" -> value for a ledgerbridge INI file (the global keys have no section).
export function parseIni(text) {
    const values = {};
    let section = "";
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (!line || line.startsWith(";") || line.startsWith("#")) continue;
        const header = line.match(/^\[(.+)\]$/);
        if (header) { section = header[1]; continue; }
        const eq = line.indexOf("=");
        if (eq < 0) throw new Error(`INI line without '=': ${line}`);
        const key = line.slice(0, eq).trim();
        values[section ? `${section}.${key}` : key] = line.slice(eq + 1).trim();
    }
    return values;
}
