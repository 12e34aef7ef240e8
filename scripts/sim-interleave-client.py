#!/usr/bin/env python3
"""Drives one export job on a running ledgerbridge-sim the way `ledgerbridge run` does (read a
page of 100 export items, PUT its results, repeat) or, with MODE=readfirst, the way
scripts/bench-raw-client.py does (every page first, then the PUTs). It exists to find
simulator costs that grow through a job (issue 19): it prints the mean time of the first and
the last tenth of the page reads and of the PUTs. HOOKS runs a shell command before the given
page numbers, e.g. to dump or toggle callgrind on the simulator:
  "30:callgrind_control -d PID;270:callgrind_control -d PID"
KEEPALIVE=1 reuses one connection; the default opens a fresh TLS connection per request.

usage: sim-interleave-client.py BASE_URL CA_FILE [interleave|readfirst] [HOOKS]
"""
import base64, http.client, json, ssl, subprocess, sys, time, urllib.parse

base, ca = sys.argv[1:3]
mode = sys.argv[3] if len(sys.argv) > 3 else "interleave"
hooks = {}
if len(sys.argv) > 4 and sys.argv[4]:
    for h in sys.argv[4].split(";"):
        p, c = h.split(":", 1)
        hooks[int(p)] = c
url = urllib.parse.urlparse(base)
ctx = ssl.create_default_context(cafile=ca)

import os
keep = os.environ.get("KEEPALIVE") == "1"
shared = [None]
def call(method, path, body=None, auth=None):
    if keep:
        if shared[0] is None: shared[0] = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=600)
        conn = shared[0]
    else:
        conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=600)
    headers = {"Accept": "application/json"}
    if auth: headers["Authorization"] = auth
    data = None
    if body is not None:
        data = json.dumps(body).encode(); headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    res = conn.getresponse(); text = res.read()
    if not keep: conn.close()
    if res.status >= 300: sys.exit(f"{method} {path}: HTTP {res.status}: {text[:300]!r}")
    return json.loads(text) if text else None

company = call("GET", "/admin/companies")["data"][0]["id"]
key = call("POST", "/admin/api-keys", {"companyId": company})["apiKey"]
auth = "Basic " + base64.b64encode((key + ":").encode()).decode()
created = call("POST", "/admin/export-jobs", {"companyId": company})["data"]
if not created.get("numberOfItems"):
    sys.exit("sim-interleave-client: the job has no items (every entry already exported? start a fresh simulator)")
job = created["id"]
call("POST", "/v3/export-job-events", {"event": "started", "jobId": job}, auth)

def put(ids):
    call("PUT", f"/v3/export-jobs/{job}/items",
         [{"accountingEntryId": e, "status": "successful", "externalId": "x#" + e} for e in ids], auth)

after, page_no, read_ms, put_ms, pending = "", 0, [], [], []
while True:
    if page_no in hooks: subprocess.run(hooks[page_no], shell=True, check=True)
    t = time.time()
    page = call("GET", f"/v3/export-items?job_id={job}&limit=100" + (f"&after={after}" if after else ""), auth=auth)
    read_ms.append((time.time() - t) * 1000)
    ids = [i["accountingEntryId"] for i in page["data"]]
    if mode == "interleave":
        t = time.time(); put(ids); put_ms.append((time.time() - t) * 1000)
    else:
        pending.extend(ids)
    page_no += 1
    if not page["pagination"]["hasNextPage"]: break
    after = page["pagination"]["endCursor"]
for i in range(0, len(pending), 100):
    t = time.time(); put(pending[i:i + 100]); put_ms.append((time.time() - t) * 1000)
call("POST", "/v3/export-job-events", {"event": "completed", "jobId": job}, auth)
def ends(v): k = max(1, len(v) // 10); return sum(v[:k]) / k, sum(v[-k:]) / k
print(f"pages {page_no}; read ms first/last tenth {ends(read_ms)[0]:.1f}/{ends(read_ms)[1]:.1f}; "
      f"put ms first/last tenth {ends(put_ms)[0]:.1f}/{ends(put_ms)[1]:.1f}")
