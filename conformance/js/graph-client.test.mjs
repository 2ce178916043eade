// Microsoft's JavaScript Graph client (@microsoft/microsoft-graph-client) against accessd: a
// smaller set of calls than the Python suite, through a second, independent JSON stack.
//
// Run by conformance/run.sh with ACCESSD_URL, ACCESSD_TOKEN, ACCESSD_BIN and ACCESSD_DATABASE set;
// over HTTPS, NODE_EXTRA_CA_CERTS names the CA that `accessd serve --tls` generated.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import graph from "@microsoft/microsoft-graph-client";

const { Client, PageIterator, GraphError, RetryHandler, RedirectHandler, HTTPMessageHandler, BatchRequestContent, BatchResponseContent } = graph;

const BASE = (process.env.ACCESSD_URL ?? "").replace(/\/$/, "");
const TOKEN = process.env.ACCESSD_TOKEN ?? "";
if (!BASE || !TOKEN) {
  throw new Error("ACCESSD_URL and ACCESSD_TOKEN are not set: run conformance/run.sh");
}
const HOST = new URL(BASE).hostname;
const HTTPS = BASE.startsWith("https://");
const RUN = randomUUID().slice(0, 8);
const EM = "/identityGovernance/entitlementManagement";

// Adds the bearer token to every request. Needed over plain http only: the client's own
// AuthenticationHandler sends the token to https URLs only (Graph's hosts and `customHosts`).
class StaticBearer {
  constructor(token) {
    this.token = token;
  }
  async execute(context) {
    const headers = new Headers(context.options?.headers ?? {});
    headers.set("Authorization", `Bearer ${this.token}`);
    context.options = { ...(context.options ?? {}), headers };
    return this.next.execute(context);
  }
  setNext(next) {
    this.next = next;
  }
}

// Over https: the documented setup (`customHosts`). Over http: the same client with a middleware
// chain that carries the token (see docs/clients/javascript.md).
function client(version, token = TOKEN) {
  const options = { baseUrl: `${BASE}/`, defaultVersion: version };
  if (HTTPS) {
    return Client.init({ ...options, authProvider: (done) => done(null, token), customHosts: new Set([HOST]) });
  }
  const middleware = [new StaticBearer(token), new RetryHandler(), new RedirectHandler(), new HTTPMessageHandler()];
  return Client.initWithMiddleware({ ...options, middleware });
}

function mint(userId) {
  const out = execFileSync(
    process.env.ACCESSD_BIN ?? "accessd",
    ["token", "--database", process.env.ACCESSD_DATABASE ?? "", "--user", userId, "--scopes", "EntitlementManagement.ReadWrite.All"],
    { encoding: "utf8", timeout: 60_000 },
  );
  return out.trim().split("\n").pop();
}

async function graphError(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof GraphError, `expected a GraphError, got ${e}`);
    return e;
  }
  assert.fail("the call succeeded");
}

const v1 = client("v1.0");
const beta = client("beta");
const W = {};

test("v1.0: users and a group", async () => {
  W.users = [];
  for (const name of ["Ann", "Ben"]) {
    const u = await v1.api("/users").post({
      accountEnabled: true,
      displayName: `${name} ${RUN}`,
      mailNickname: `${name.toLowerCase()}${RUN}js`,
      userPrincipalName: `${name.toLowerCase()}.${RUN}@js.example.com`,
    });
    assert.match(u.id, /^[0-9a-f-]{36}$/);
    W.users.push(u.id);
  }
  const g = await v1.api("/groups").post({
    displayName: `JS group ${RUN}`,
    mailEnabled: false,
    mailNickname: `jsgroup${RUN}`,
    securityEnabled: true,
  });
  W.group = g.id;
  await v1.api(`/groups/${g.id}/members/$ref`).post({ "@odata.id": `${BASE}/v1.0/directoryObjects/${W.users[1]}` });
  const members = await v1.api(`/groups/${g.id}/members`).get();
  assert.deepEqual(members.value.map((m) => m.id), [W.users[1]]);
  assert.equal(members.value[0]["@odata.type"], "#microsoft.graph.user");
});

test("v1.0: catalog, access package, policy (POST, GET, PATCH, PUT)", async () => {
  const c = await v1.api(`${EM}/catalogs`).post({ displayName: `JS catalog ${RUN}`, description: "js" });
  assert.equal(c.state, "published");
  W.catalog = c.id;
  await v1.api(`${EM}/catalogs/${c.id}`).patch({ description: "patched" });
  assert.equal((await v1.api(`${EM}/catalogs/${c.id}`).get()).description, "patched");
  const ap = await v1.api(`${EM}/accessPackages`).post({ displayName: `JS package ${RUN}`, catalog: { id: c.id } });
  W.package = ap.id;
  const p = await v1.api(`${EM}/assignmentPolicies`).post({
    displayName: `JS policy ${RUN}`,
    accessPackage: { id: ap.id },
    allowedTargetScope: "specificDirectoryUsers",
    specificAllowedTargets: [{ "@odata.type": "#microsoft.graph.singleUser", userId: W.users[1] }],
    requestorSettings: { enableTargetsToSelfAddAccess: true },
    expiration: { type: "afterDuration", duration: "P30D" },
  });
  assert.equal(p.expiration.duration, "P30D");
  assert.equal(p.specificAllowedTargets[0]["@odata.type"], "#microsoft.graph.singleUser");
  W.policy = p.id;
  const replaced = await v1.api(`${EM}/assignmentPolicies/${p.id}`).put({ ...p, displayName: `JS policy (PUT) ${RUN}` });
  assert.equal(replaced.displayName, `JS policy (PUT) ${RUN}`);
  const expanded = await v1.api(`${EM}/accessPackages/${ap.id}`).expand("catalog").get();
  assert.equal(expanded.catalog.id, c.id);
});

test("v1.0: adminAdd, assignments with query options, $count, filterByCurrentUser", async () => {
  const r = await v1.api(`${EM}/assignmentRequests`).post({
    requestType: "adminAdd",
    assignment: { targetId: W.users[0], assignmentPolicyId: W.policy, accessPackageId: W.package },
  });
  assert.equal(r.requestType, "adminAdd");
  assert.equal(r.state, "delivered");
  const page = await v1
    .api(`${EM}/assignments`)
    .filter(`accessPackage/id eq '${W.package}' and state eq 'delivered'`)
    .expand(["target", "accessPackage"])
    .select(["id", "state", "schedule"])
    .orderby("id")
    .count(true)
    .get();
  assert.equal(page["@odata.count"], 1);
  assert.equal(page.value[0].target.objectId, W.users[0]);
  W.assignment = page.value[0].id;
  const n = await v1.api(`${EM}/assignments/$count`).filter(`accessPackage/id eq '${W.package}'`).get();
  assert.equal(Number(n), 1);
  const mine = await client("v1.0", mint(W.users[0])).api(`${EM}/assignments/filterByCurrentUser(on='target')`).get();
  assert.deepEqual(mine.value.map((a) => a.id), [W.assignment]);
  const allowed = await client("v1.0", mint(W.users[1]))
    .api(`${EM}/accessPackages/filterByCurrentUser(on='allowedRequestor')`)
    .get();
  assert.ok(allowed.value.some((x) => x.id === W.package));
});

test("v1.0: PageIterator over several pages", async () => {
  const made = [];
  for (let i = 0; i < 5; i++) {
    made.push((await v1.api(`${EM}/catalogs`).post({ displayName: `JS paged ${RUN} ${i}` })).id);
  }
  const first = await v1.api(`${EM}/catalogs`).filter(`contains(displayName, 'JS paged ${RUN}')`).top(2).get();
  assert.ok(first["@odata.nextLink"].startsWith(`${BASE}/v1.0/`));
  const seen = [];
  if (HTTPS) {
    const it = new PageIterator(v1, first, (c) => {
      seen.push(c.id);
      return true;
    });
    await it.iterate();
  } else {
    // The client (3.0.7) treats only https:// as an absolute URL: over http its PageIterator
    // would append the nextLink to the base URL. Follow the links by their path instead.
    let page = first;
    for (;;) {
      seen.push(...page.value.map((c) => c.id));
      const next = page["@odata.nextLink"];
      if (!next) break;
      page = await v1.api(next.slice(`${BASE}/v1.0`.length)).get();
    }
  }
  assert.deepEqual([...seen].sort(), [...made].sort());
  for (const id of made) await v1.api(`${EM}/catalogs/${id}`).delete();
});

test("v1.0: errors arrive as GraphError with Graph's code", async () => {
  let e = await graphError(v1.api(`${EM}/catalogs/00000000-0000-0000-0000-000000000404`).get());
  assert.equal(e.statusCode, 404);
  assert.equal(e.code, "ResourceNotFound");
  assert.ok(e.requestId);
  e = await graphError(v1.api(`${EM}/assignmentPolicies/${W.policy}`).patch({ description: "x" }));
  assert.equal(e.statusCode, 405);
  e = await graphError(v1.api(`${EM}/catalogs`).filter("displayName eq").get());
  assert.equal(e.statusCode, 400);
  e = await graphError(client("v1.0", "not-a-token").api(`${EM}/catalogs`).get());
  assert.equal(e.statusCode, 401);
  assert.equal(e.code, "InvalidAuthenticationToken");
});

test("beta: catalog, package, policy PATCH, direct assignment, filterByCurrentUser", async () => {
  const c = await beta.api(`${EM}/accessPackageCatalogs`).post({ displayName: `JS beta ${RUN}`, catalogType: "UserManaged" });
  assert.equal(c.catalogStatus, "Published");
  const ap = await beta.api(`${EM}/accessPackages`).post({ catalogId: c.id, displayName: `JS beta package ${RUN}` });
  const p = await beta.api(`${EM}/accessPackageAssignmentPolicies`).post({
    accessPackageId: ap.id,
    displayName: `JS beta policy ${RUN}`,
    durationInDays: 7,
    requestorSettings: { scopeType: "NoSubjects", acceptRequests: true },
    requestApprovalSettings: { isApprovalRequired: false, approvalMode: "NoApproval", approvalStages: [] },
  });
  assert.equal(p.durationInDays, 7);
  await beta.api(`${EM}/accessPackageAssignmentPolicies/${p.id}`).patch({ description: "patched in beta" });
  assert.equal((await beta.api(`${EM}/accessPackageAssignmentPolicies/${p.id}`).get()).description, "patched in beta");
  const a = await beta.api(`${EM}/accessPackageAssignments`).post({
    targetId: W.users[1],
    assignmentPolicyId: p.id,
    accessPackageId: ap.id,
  });
  assert.equal(a.assignmentState, "Delivered");
  await beta.api(`/accessPackageAssignments/${a.id}`).patch({ isExtended: true });
  assert.equal((await beta.api(`${EM}/accessPackageAssignments/${a.id}`).get()).isExtended, true);
  const mine = await client("beta", mint(W.users[1]))
    .api(`${EM}/accessPackageAssignments/filterByCurrentUser(on='target')`)
    .expand("accessPackage")
    .get();
  assert.deepEqual(mine.value.map((x) => x.id), [a.id]);
  assert.equal(mine.value[0].accessPackage.id, ap.id);
  const req = await beta.api(`${EM}/accessPackageAssignmentRequests`).post({
    requestType: "AdminRemove",
    accessPackageAssignment: { id: a.id },
  });
  assert.equal(req.requestType, "AdminRemove");
  const e = await graphError(beta.api(`${EM}/accessPackageCatalogs/${c.id}`).delete());
  assert.equal(e.statusCode, 400);
  assert.equal(e.code, "InvalidDeleteCatalogHasAccessPackages");
});

test("v1.0: $batch through BatchRequestContent and BatchResponseContent", async () => {
  const c = client("v1.0");
  const create = new Request(`${BASE}/v1.0${EM}/catalogs`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ displayName: `JS batch ${RUN}` }),
  });
  const list = new Request(`${BASE}/v1.0${EM}/catalogs?$top=999`, { method: "GET" });
  const content = new BatchRequestContent([
    { id: "create", request: create },
    { id: "list", request: list, dependsOn: ["create"] },
  ]);
  const body = await c.api("/$batch").post(await content.getContent());
  const responses = new BatchResponseContent(body);
  const made = responses.getResponseById("create");
  assert.equal(made.status, 201);
  const catalog = await made.json();
  assert.equal(catalog.displayName, `JS batch ${RUN}`);
  const listed = responses.getResponseById("list");
  assert.equal(listed.status, 200);
  assert.ok((await listed.json()).value.some((x) => x.id === catalog.id));
});
