// Lints a Containerfile with dockerfile-utils (the Docker language server's validator: unknown
// instructions, bad flags, missing arguments, duplicate stage names, ...) and prints what
// container-check.sh compares with Debian and with `cmake --install`, one fact a line:
//   stage NAME BASE            every FROM
//   package STAGE NAME         every package of an `apt-get install` in a RUN
//   copy STAGE FROMSTAGE SRC   every source of a COPY --from=FROMSTAGE
//   copy-context STAGE SRC     every source of a COPY from the build context
//   user STAGE USER            the last USER of each stage
//   entrypoint STAGE JSON / cmd STAGE JSON / stopsignal STAGE SIG / volume STAGE PATH / healthcheck STAGE
// Exit 1 with every lint diagnostic (line:column message) when there is one.
//   node containerfile-facts.mjs TOOLING_DIR CONTAINERFILE
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const [toolingDir, file] = process.argv.slice(2);
if (!toolingDir || !file) {
    console.error("usage: containerfile-facts.mjs TOOLING_DIR CONTAINERFILE");
    process.exit(2);
}
const require = createRequire(path.join(path.resolve(toolingDir), "package.json"));
const { validate } = require("dockerfile-utils");
const { DockerfileParser } = require("dockerfile-ast");

const content = readFileSync(file, "utf8");
const diagnostics = validate(content);
if (diagnostics.length > 0) {
    for (const d of diagnostics)
        console.error(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
    process.exit(1);
}

const dockerfile = DockerfileParser.parse(content);
let stage = "";
const out = [];
const words = (instruction) => instruction.getArguments().map((a) => a.getValue());
for (const ins of dockerfile.getInstructions()) {
    const keyword = ins.getKeyword();
    if (keyword === "FROM") {
        stage = ins.getBuildStage() || String(out.filter((l) => l.startsWith("stage ")).length);
        out.push(`stage ${stage} ${ins.getImage()}`);
    } else if (keyword === "RUN") {
        // Packages follow `apt-get install` up to the end of that command (&&, ;, |).
        const tokens = words(ins);
        for (let i = 0; i < tokens.length; i++) {
            if (!(tokens[i] === "install" && i > 0 && tokens[i - 1] === "apt-get") &&
                !(tokens[i] === "install" && i > 1 && tokens[i - 2] === "apt-get")) continue;
            for (let j = i + 1; j < tokens.length && !["&&", ";", "|", "||"].includes(tokens[j]); j++)
                if (!tokens[j].startsWith("-") && tokens[j] !== "\\") out.push(`package ${stage} ${tokens[j]}`);
        }
    } else if (keyword === "COPY") {
        const from = ins.getFromFlag();
        const sources = words(ins).filter((w) => !w.startsWith("--")).slice(0, -1);
        for (const s of sources)
            out.push(from ? `copy ${stage} ${from.getValue()} ${s}` : `copy-context ${stage} ${s}`);
    } else if (keyword === "USER") {
        out.push(`user ${stage} ${words(ins).join(" ")}`);
    } else if (keyword === "ENTRYPOINT" || keyword === "CMD") {
        out.push(`${keyword.toLowerCase()} ${stage} ${JSON.stringify(JSON.parse(ins.getRawArgumentsContent()))}`);
    } else if (keyword === "STOPSIGNAL") {
        out.push(`stopsignal ${stage} ${words(ins)[0]}`);
    } else if (keyword === "VOLUME") {
        for (const v of JSON.parse(ins.getRawArgumentsContent())) out.push(`volume ${stage} ${v}`);
    } else if (keyword === "HEALTHCHECK") {
        out.push(`healthcheck ${stage}`);
    }
}
console.log(out.join("\n"));
