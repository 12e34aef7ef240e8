// Validates deploy/kubernetes without a cluster:
//   - renders each variant (sqlite, postgresql, cronjob) the way `kubectl apply -k` would, for
//     the subset of kustomize the manifests use (render.mjs; any other field is refused);
//   - compares that render with kustomize's own (`kubectl kustomize`) where kubectl is installed;
//   - validates every object against the Kubernetes OpenAPI schema of its apiVersion/kind
//     (npm kubernetes-models: types, required fields, enums; it does not refuse unknown fields,
//     so every field that matters is asserted below by name);
//   - checks the manifests against ledgerbridge itself: the probes' URLs are the config's
//     [service] listen and the HTTP server's /healthz and /readyz, terminationGracePeriodSeconds
//     covers [service] grace_period, args are commands and options `ledgerbridge --help`
//     lists, every env: reference of the config is set from the Secret, writable paths are
//     on volumes, the image's user, config path and proxy port match the Containerfile;
//   - mutates the rendered objects and expects each check to fail (they can fail).
// Prints one line per check and "N passed, M failed"; exit 1 on any failure.
//   node kubernetes-check.mjs TOOLING_DIR SOURCE_DIR LEDGERBRIDGE_BINARY
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadTooling, renderKustomization, parseIni } from "./render.mjs";

const [toolingDir, sourceDir, binary] = process.argv.slice(2);
if (!toolingDir || !sourceDir || !binary) {
    console.error("usage: kubernetes-check.mjs TOOLING_DIR SOURCE_DIR LEDGERBRIDGE_BINARY");
    process.exit(2);
}
const tooling = loadTooling(toolingDir);
const k8sDir = path.join(sourceDir, "deploy", "kubernetes");
const containerfile = readFileSync(path.join(sourceDir, "deploy", "container", "Containerfile"), "utf8");
const proxyConf = readFileSync(path.join(sourceDir, "deploy", "container", "webhook-proxy.conf"), "utf8");
const httpServer = readFileSync(path.join(sourceDir, "core", "service", "src", "ServiceHttpServer.cpp"), "utf8");

let passed = 0, failed = 0;
function check(name, fn) {
    try {
        const detail = fn();
        passed++;
        console.log(`ok: ${name}${detail ? ` (${detail})` : ""}`);
    } catch (e) {
        failed++;
        console.log(`FAIL: ${name}: ${e.message}`);
    }
}
function must(cond, message) { if (!cond) throw new Error(message); }

// --- what the rest of the project says --------------------------------------------------
const help = (args) => execFileSync(binary, [...args, "--help"], { encoding: "utf8" });
const commands = new Set([...help([]).split("Commands:")[1].split("\n\n")[0].matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]));
const optionsOf = (command) => new Set([...help([command]).matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]));
const serverPaths = new Set([...httpServer.matchAll(/path == "(\/[a-z/]+)"/g)].map((m) => m[1]));
const imageUser = containerfile.match(/^FROM \S+ AS runtime$[\s\S]*?^USER (\d+):(\d+)$/m);
const proxyUser = containerfile.match(/^FROM \S+ AS webhook-proxy$[\s\S]*?^USER (\d+):(\d+)$/m);
const imageConfig = containerfile.match(/^ENV LEDGERBRIDGE_CONFIG=(\S+)$/m)[1];
const proxyListen = Number(proxyConf.match(/^\s*listen (\d+);/m)[1]);
const proxyPass = proxyConf.match(/^\s*proxy_pass http:\/\/127\.0\.0\.1:(\d+);/m);
const secretExample = tooling.parseAllDocuments(readFileSync(path.join(k8sDir, "secret.example.yaml"), "utf8"))[0].toJS();
const secretKeys = new Set(Object.keys(secretExample.stringData));

// --- the checks of one rendered variant ---------------------------------------------------
const podSpecOf = (o) => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);
const byKind = (objects, kind) => objects.filter((o) => o.kind === kind);
const one = (objects, kind) => {
    const found = byKind(objects, kind);
    must(found.length === 1, `expected one ${kind}, found ${found.length}`);
    return found[0];
};
function configOf(objects, podSpec) {
    const volume = podSpec.volumes.find((v) => v.configMap);
    must(volume, "no volume from a ConfigMap");
    const map = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === volume.configMap.name);
    must(map, `the ConfigMap ${volume.configMap.name} is not in the render`);
    const main = podSpec.containers[0];
    const mount = main.volumeMounts.find((m) => m.name === volume.name);
    must(mount && mount.readOnly === true, `the config volume is not mounted read-only in ${main.name}`);
    must(path.posix.join(mount.mountPath, path.posix.basename(imageConfig)) === imageConfig,
         `the ConfigMap is mounted at ${mount.mountPath}, the image reads ${imageConfig}`);
    const text = map.data[path.posix.basename(imageConfig)];
    must(text, `the ConfigMap has no ${path.posix.basename(imageConfig)}`);
    return parseIni(text);
}
function envNames(container) { return new Set((container.env || []).map((e) => e.name)); }
function mountFor(container, dir) {
    return (container.volumeMounts || []).filter((m) => dir === m.mountPath || dir.startsWith(m.mountPath + "/"))
        .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}
function probeUrl(probe, what) {
    must(probe && probe.exec, `no ${what} exec probe`);
    const url = probe.exec.command.find((a) => a.startsWith("http://"));
    must(probe.exec.command[0] === "/usr/bin/curl" && url, `the ${what} probe is not curl on a URL: ${probe.exec.command}`);
    must(containerfile.match(/apt-get install[^&]*\bcurl\b/), "the image does not install curl for the probes");
    return new URL(url);
}

function checkVariant(name, objects, expect) {
    const results = [];
    const add = (label, fn) => results.push([`${name}: ${label}`, fn]);

    add("every object matches its Kubernetes schema", () => {
        for (const o of objects) tooling.validateObject(o);
        return objects.map((o) => o.kind).join(", ");
    });
    const workload = one(objects, expect.kind);
    const pod = podSpecOf(workload);
    const main = pod.containers.find((c) => c.name === "ledgerbridge");

    add("the ledgerbridge container runs a command `ledgerbridge --help` lists, with options it accepts", () => {
        must(main, "no container named ledgerbridge");
        must(!main.command, "command overrides the image's ENTRYPOINT /usr/bin/ledgerbridge");
        const [command, ...rest] = main.args;
        must(command === expect.command, `args start with ${command}, expected ${expect.command}`);
        must(commands.has(command), `ledgerbridge --help lists no command ${command}`);
        const known = optionsOf(command);
        for (const a of rest.filter((a) => a.startsWith("--")))
            must(known.has(a), `ledgerbridge ${command} --help lists no option ${a}`);
        return main.args.join(" ");
    });

    add("every env: reference of the config comes from the Secret", () => {
        const ini = configOf(objects, pod);
        const env = envNames(main);
        const refs = Object.entries(ini).filter(([, v]) => v.startsWith("env:"));
        const needed = refs.filter(([k]) => expect.command === "serve" || k !== "service.webhook_secret");
        for (const [key, value] of needed) must(env.has(value.slice(4)), `${key} = ${value}, but the container sets no ${value.slice(4)}`);
        for (const e of main.env) {
            const ref = e.valueFrom && e.valueFrom.secretKeyRef;
            must(ref, `${e.name} is not from a Secret`);
            must(ref.name === secretExample.metadata.name && secretKeys.has(ref.key),
                 `${e.name} reads ${ref.name}/${ref.key}, which secret.example.yaml does not define`);
            must(!e.name.startsWith("LEDGERBRIDGE_") || e.name === "LEDGERBRIDGE_STATE_URL",
                 `${e.name} starts with LEDGERBRIDGE_, the prefix of config overrides`);
        }
        return needed.map(([k]) => k).join(", ");
    });

    add("the state, output and temporary directories are on writable volumes", () => {
        const ini = configOf(objects, pod);
        const dirs = [ini["state.dir"], "/tmp", ...Object.entries(ini).filter(([k]) => k.endsWith(".setting.output_dir")).map(([, v]) => v)];
        for (const dir of dirs) {
            const m = mountFor(main, dir);
            must(m && !m.readOnly, `${dir} is on no writable volume (the root file system is read-only)`);
            must(pod.volumes.some((v) => v.name === m.name), `volume ${m.name} is not declared`);
        }
        const state = pod.volumes.find((v) => v.name === mountFor(main, ini["state.dir"]).name);
        if (expect.stateOnClaim) {
            must(state.persistentVolumeClaim, "the state directory is not on a PersistentVolumeClaim");
            const claim = objects.find((o) => o.kind === "PersistentVolumeClaim" && o.metadata.name === state.persistentVolumeClaim.claimName);
            must(claim, `the claim ${state.persistentVolumeClaim.claimName} is not in the render`);
            must(claim.spec.accessModes.join() === "ReadWriteOnce", "the SQLite claim is not ReadWriteOnce");
        } else {
            must(state.emptyDir && ini["state.url"], "with PostgreSQL the state directory is per-pod scratch and [state] url is set");
        }
        return dirs.join(", ");
    });

    add("security context: non-root as the image's user, no privilege escalation, no capabilities, read-only root", () => {
        must(pod.securityContext.runAsNonRoot === true, "runAsNonRoot is not true");
        must(String(pod.securityContext.runAsUser) === imageUser[1] && String(pod.securityContext.runAsGroup) === imageUser[2],
             `runs as ${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}, the image's user is ${imageUser[1]}:${imageUser[2]}`);
        must(pod.securityContext.seccompProfile.type === "RuntimeDefault", "no RuntimeDefault seccomp profile");
        must(pod.automountServiceAccountToken === false, "the service account token is mounted");
        must(pod.securityContext.fsGroupChangePolicy === "OnRootMismatch",
             "fsGroupChangePolicy is not OnRootMismatch (the kubelet would widen the database's mode at every start)");
        for (const c of pod.containers) {
            const s = c.securityContext || {};
            must(s.allowPrivilegeEscalation === false, `${c.name}: allowPrivilegeEscalation is not false`);
            must(s.readOnlyRootFilesystem === true, `${c.name}: readOnlyRootFilesystem is not true`);
            must(s.capabilities && s.capabilities.drop && s.capabilities.drop.join() === "ALL", `${c.name}: capabilities drop is not [ALL]`);
            must((c.resources.requests || {}).memory && (c.resources.limits || {}).memory, `${c.name}: no memory request and limit`);
        }
        return pod.containers.map((c) => c.name).join(", ");
    });

    add("terminationGracePeriodSeconds covers [service] grace_period plus up to 15 s", () => {
        const grace = parseInt(configOf(objects, pod)["service.grace_period"] || "30s", 10) *
            ((configOf(objects, pod)["service.grace_period"] || "").endsWith("m") ? 60 : 1);
        const t = pod.terminationGracePeriodSeconds;
        must(t > grace && t <= grace + 15, `terminationGracePeriodSeconds ${t}, grace_period ${grace} s`);
        return `${t} s for a ${grace} s grace period`;
    });

    if (expect.command === "serve") {
        add("probes: /healthz (startup, liveness) and /readyz (readiness) on [service] listen, paths the HTTP server serves", () => {
            const listen = configOf(objects, pod)["service.listen"] || "127.0.0.1:9464";
            const seen = [];
            for (const [probe, wanted] of [["startupProbe", "/healthz"], ["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]]) {
                const url = probeUrl(main[probe], probe);
                must(url.host === listen, `${probe} asks ${url.host}, the service listens on ${listen}`);
                must(url.pathname === wanted, `${probe} asks ${url.pathname}, expected ${wanted}`);
                must(serverPaths.has(url.pathname), `ServiceHttpServer serves no ${url.pathname}`);
                seen.push(`${probe} ${url.pathname}`);
            }
            return seen.join(", ");
        });
        add("the webhook Service reaches the proxy, which forwards to [service] listen", () => {
            const service = one(objects, "Service");
            const proxy = pod.containers.find((c) => c.name === "webhook-proxy");
            must(proxy, "no webhook-proxy container");
            for (const [k, v] of Object.entries(service.spec.selector))
                must(workload.spec.template.metadata.labels[k] === v, `the Service selects ${k}=${v}, the pods do not carry it`);
            const port = service.spec.ports[0];
            const target = proxy.ports.find((p) => p.name === port.targetPort || p.containerPort === port.targetPort);
            must(target && target.containerPort === proxyListen, `the Service's targetPort ${port.targetPort} is not the proxy's listen ${proxyListen}`);
            const listen = configOf(objects, pod)["service.listen"] || "127.0.0.1:9464";
            must(proxyPass && `127.0.0.1:${proxyPass[1]}` === listen, `the proxy forwards to ${proxyPass && proxyPass[1]}, the service listens on ${listen}`);
            must(serverPaths.has("/webhooks/pleo") && proxyConf.includes("location = /webhooks/pleo"), "the proxy does not forward /webhooks/pleo");
            must(String(proxy.securityContext.runAsUser) === proxyUser[1], `the proxy runs as ${proxy.securityContext.runAsUser}, its image's user is ${proxyUser[1]}`);
            return `Service :${port.port} -> proxy :${proxyListen} -> ${listen}/webhooks/pleo`;
        });
        add(`replicas and rollout: ${expect.replicas}`, () => {
            const replicas = workload.spec.replicas;
            if (expect.replicas === "one") {
                must(replicas === 1, `replicas ${replicas} on SQLite state`);
                must(workload.spec.strategy.type === "Recreate", "a rolling update would run two pods on one SQLite file");
                must(byKind(objects, "PodDisruptionBudget").length === 0, "a PDB on one replica blocks every node drain");
            } else {
                must(replicas >= 2, `replicas ${replicas}`);
                const pdb = one(objects, "PodDisruptionBudget");
                for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels))
                    must(workload.spec.template.metadata.labels[k] === v, `the PDB selects ${k}=${v}, the pods do not carry it`);
                must(pdb.spec.maxUnavailable >= 1 && pdb.spec.maxUnavailable < replicas, `PDB maxUnavailable ${pdb.spec.maxUnavailable} of ${replicas}`);
                must(envNames(main).has("LEDGERBRIDGE_STATE_URL"), "[state] url is not taken from the Secret");
            }
            return `${replicas} replica(s), ${workload.spec.strategy.type}`;
        });
    } else {
        add("the CronJob never runs twice at once and does not restart a failed run in place", () => {
            must(workload.spec.concurrencyPolicy === "Forbid", `concurrencyPolicy ${workload.spec.concurrencyPolicy}`);
            must(pod.restartPolicy === "Never", `restartPolicy ${pod.restartPolicy}`);
            const codes = workload.spec.jobTemplate.spec.podFailurePolicy.rules[0].onExitCodes.values;
            const documented = help([]).split("Exit codes:")[1];
            for (const c of codes) must(new RegExp(`^ {2}${c} `, "m").test(documented), `exit code ${c} is not one ledgerbridge documents`);
            return `schedule "${workload.spec.schedule}" ${workload.spec.timeZone}, fails at once on exit ${codes.join(", ")}`;
        });
    }
    return results;
}

const variants = {
    sqlite: { kind: "Deployment", command: "serve", replicas: "one", stateOnClaim: true },
    postgresql: { kind: "Deployment", command: "serve", replicas: "many", stateOnClaim: false },
    cronjob: { kind: "CronJob", command: "run", stateOnClaim: true },
};
const rendered = {};
for (const name of Object.keys(variants)) {
    check(`${name}: kustomization renders`, () => {
        rendered[name] = renderKustomization(tooling, path.join(k8sDir, name));
        return `${rendered[name].length} objects`;
    });
    if (rendered[name]) for (const [label, fn] of checkVariant(name, rendered[name], variants[name])) check(label, fn);
    check(`${name}: kustomize (kubectl kustomize) renders the same objects`, () => compareWithKustomize(name));
}
check("secret.example.yaml matches the Secret schema and holds only placeholders or non-secrets", () => {
    tooling.validateObject(secretExample);
    for (const [k, v] of Object.entries(secretExample.stringData))
        must(v.startsWith("REPLACE-WITH-") || k === "state-url", `${k} looks like a real value`);
    return [...secretKeys].join(", ");
});

// kustomize itself, where this machine has it (kubectl of google-cloud-cli ships kustomize v5;
// Debian's kubernetes-client is 1.20, whose kustomize v2 predates `patches` and `replicas`).
// Its ConfigMap names carry a content hash and every reference to them is rewritten; the
// comparison takes the hash off and then wants the very same objects.
function compareWithKustomize(name) {
    let out;
    try {
        out = execFileSync("kubectl", ["kustomize", path.join(k8sDir, name)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        if (e.code === "ENOENT") return "kubectl is not installed here: compared by render.mjs alone";
        throw new Error(`kubectl kustomize failed: ${e.stderr || e.message}`);
    }
    must(rendered[name], "render.mjs did not render it");
    const canonical = (o) => JSON.stringify(o, (k, v) => (v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((key) => [key, v[key]])) : v));
    const unhash = (text) => text.replace(/"(ledgerbridge-config)-[a-z0-9]{10}"/g, '"$1"');
    const theirs = tooling.parseAllDocuments(out).map((d) => unhash(canonical(d.toJS()))).sort();
    const ours = rendered[name].map(canonical).sort();
    must(theirs.length === ours.length, `kustomize rendered ${theirs.length} objects, render.mjs ${ours.length}`);
    theirs.forEach((t, i) => must(t === ours[i], `the objects differ:\n  kustomize: ${t.slice(0, 400)}\n  render.mjs: ${ours[i].slice(0, 400)}`));
    const version = execFileSync("kubectl", ["version", "--client"], { encoding: "utf8" }).match(/Kustomize Version: (\S+)/);
    return `${theirs.length} objects, kustomize ${version ? version[1] : "(version unknown)"}`;
}

// --- the checks must be able to fail ------------------------------------------------------
const mutations = [
    ["replicas as a string is refused by the schema", "postgresql", (o) => o.kind === "Deployment" && (o.spec.replicas = "three")],
    ["a probe on another port is refused", "sqlite", (o) => o.kind === "Deployment" && (o.spec.template.spec.containers[0].livenessProbe.exec.command[6] = "http://127.0.0.1:9465/healthz")],
    ["a probe on a path the server lacks is refused", "sqlite", (o) => o.kind === "Deployment" && (o.spec.template.spec.containers[0].readinessProbe.exec.command[6] = "http://127.0.0.1:9464/ready")],
    ["a grace period shorter than the service's is refused", "sqlite", (o) => o.kind === "Deployment" && (o.spec.template.spec.terminationGracePeriodSeconds = 30)],
    ["a command ledgerbridge lacks is refused", "cronjob", (o) => o.kind === "CronJob" && (o.spec.jobTemplate.spec.template.spec.containers[0].args = ["run", "--all"])],
    ["a missing Secret variable is refused", "sqlite", (o) => o.kind === "Deployment" && o.spec.template.spec.containers[0].env.pop()],
    ["two replicas on SQLite are refused", "sqlite", (o) => o.kind === "Deployment" && (o.spec.replicas = 2)],
    ["a writable root file system is refused", "postgresql", (o) => o.kind === "Deployment" && (o.spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem = false)],
    ["concurrencyPolicy Allow is refused", "cronjob", (o) => o.kind === "CronJob" && (o.spec.concurrencyPolicy = "Allow")],
];
for (const [label, variant, mutate] of mutations) {
    check(`mutation: ${label}`, () => {
        must(rendered[variant], `${variant} did not render`);
        const copy = structuredClone(rendered[variant]);
        copy.forEach(mutate);
        const failures = [];
        for (const [name, fn] of checkVariant(variant, copy, variants[variant])) {
            try { fn(); } catch (e) { failures.push(`${name}: ${e.message}`); }
        }
        must(failures.length > 0, "every check still passed");
        return failures[0];
    });
}

console.log(`kubernetes-check: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
