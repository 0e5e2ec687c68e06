#!/usr/bin/python3
"""Checks a running analysisd against the OpenAPI description it serves.

Run by tests/e2e/openapi_test.cpp against a server it started. It
1. fetches GET /openapi.yaml, checks that it is the source tree's openapi.yaml
   byte for byte, and that it is valid OpenAPI 3.0 (the OpenAPI Initiative's
   JSON Schema, Debian's openapi-specification package), that every schema
   is a valid JSON Schema and every example matches its schema, that every
   $ref resolves, and that no operation hides statuses behind `default`;
2. runs a workload over every route, its successes and its main errors, and
   checks each response against the description: its status must be listed
   for that path and method, its Content-Type must be one the response lists
   (none when it lists none), its body must match the schema, and its
   headers the headers declared (required ones present, none of the API's
   own headers undeclared);
3. checks that the router and the description have the same paths and
   methods: every described path answers an unlisted method with 405 and an
   Allow header naming exactly its methods, and every path literal in the
   server's sources that the router serves is described.

Debian 12 packages only (python3-yaml, python3-jsonschema,
openapi-specification): no YAML parser or validator of our own. The
description's schemas are OpenAPI 3.0 Schema Objects; the one keyword that
JSON Schema lacks, `nullable`, is rewritten as a type that admits null before
they are handed to jsonschema.
"""

import argparse
import base64
import copy
import glob
import http.client
import json
import os
import re
import sys
import uuid
import warnings

import jsonschema
import yaml

OAS_30_SCHEMA = "/usr/share/openapi-specification/schemas/v3.0/schema.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Response headers that the API itself sets: present only where declared.
API_HEADERS = {"etag", "location", "content-disposition", "allow", "retry-after", "x-request-id"}
# Statuses that the workload must produce at least once somewhere.
REQUIRED_STATUSES = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 422}

warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver, in newer jsonschema


class Checker:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.checked = 0
        self.exercised = {}  # (path, method) -> set of statuses
        self.doc = None

    def fail(self, message):
        self.failures.append(message)
        print("FAIL: " + message, flush=True)

    # -- HTTP -------------------------------------------------------------------------------

    def send(self, method, target, headers=None, body=None, declared_length=None):
        """One request on a new connection; (status, {lower name: [values]}, body bytes).
        declared_length: send only the head, claiming that many body bytes."""
        conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=30)
        try:
            conn.putrequest(method, target, skip_host=False, skip_accept_encoding=True)
            headers = dict(headers or {})
            if body is not None and declared_length is None:
                headers["Content-Length"] = str(len(body))
            if declared_length is not None:
                headers["Content-Length"] = str(declared_length)
            for k, v in headers.items():
                conn.putheader(k, v)
            conn.endheaders()
            if body is not None and declared_length is None:
                conn.send(body)
            res = conn.getresponse()
            data = res.read()
            got = {}
            for k, v in res.getheaders():
                got.setdefault(k.lower(), []).append(v)
            return res.status, got, data
        finally:
            conn.close()

    # -- the description ------------------------------------------------------------------

    def pointer(self, ref):
        if not ref.startswith("#/"):
            raise KeyError(ref)
        node = self.doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[part]
        return node

    def deref(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            node = self.pointer(node["$ref"])
            seen += 1
            if seen > 20:
                raise KeyError("a $ref loop")
        return node

    @staticmethod
    def to_json_schema(node):
        """OpenAPI 3.0 Schema Objects -> JSON Schema: `nullable: true` admits null."""
        if isinstance(node, list):
            return [Checker.to_json_schema(x) for x in node]
        if not isinstance(node, dict):
            return node
        out = {k: Checker.to_json_schema(v) for k, v in node.items()}
        nullable = out.get("nullable")
        if isinstance(nullable, bool):
            del out["nullable"]
            if nullable:
                if isinstance(out.get("type"), str):
                    out["type"] = [out["type"], "null"]
                else:
                    out = {"anyOf": [{"type": "null"}, out]}
        return out

    def load(self, text):
        self.doc = yaml.safe_load(text)
        self.schema_doc = self.to_json_schema(copy.deepcopy(self.doc))
        self.resolver = jsonschema.RefResolver.from_schema(self.schema_doc)

    def check_document(self):
        with open(OAS_30_SCHEMA) as f:
            meta = json.load(f)
        for e in sorted(jsonschema.Draft4Validator(meta).iter_errors(self.doc), key=str):
            self.fail("not valid OpenAPI 3.0 at /%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300]))
        # Every $ref resolves.
        def walk(node, where):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "$ref" and isinstance(v, str):
                        try:
                            self.pointer(v)
                        except (KeyError, TypeError):
                            self.fail("%s: $ref %s does not resolve" % (where, v))
                    else:
                        walk(v, where + "/" + str(k))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, where + "/" + str(i))
        walk(self.doc, "")
        # Every schema is a valid JSON Schema once nullable is rewritten.
        def schemas(node, where):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "schema" and isinstance(v, dict):
                        yield where + "/schema", v
                    else:
                        yield from schemas(v, where + "/" + str(k))
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    yield from schemas(v, where + "/" + str(i))
        found = list(schemas(self.doc, ""))
        found += [("/components/schemas/" + k, v) for k, v in self.doc.get("components", {}).get("schemas", {}).items()]
        for where, s in found:
            try:
                jsonschema.Draft4Validator.check_schema(self.to_json_schema(s))
            except jsonschema.exceptions.SchemaError as e:
                self.fail("%s is not a valid schema: %s" % (where, e.message[:300]))
                continue
            if "example" in s:  # an example is what the schema takes
                self.validate(s["example"], s, where + " example")
        # Operations: unique ids, explicit statuses only (a `default` would hide drift).
        ids = {}
        for path, item in self.doc.get("paths", {}).items():
            for method in METHODS:
                op = item.get(method)
                if op is None:
                    continue
                oid = op.get("operationId")
                if oid in ids:
                    self.fail("operationId %s is used by %s and %s %s" % (oid, ids[oid], method.upper(), path))
                ids[oid] = method.upper() + " " + path
                for status in op.get("responses", {}):
                    if not re.fullmatch(r"[1-5][0-9][0-9]", str(status)):
                        self.fail("%s %s lists response %r: statuses must be explicit" % (method.upper(), path, status))

    def operations(self):
        for path, item in self.doc.get("paths", {}).items():
            for method in METHODS:
                if method in item:
                    yield path, method

    def path_regex(self, template):
        parts = re.split(r"(\{[^}]+\})", template)
        return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")

    def spec_path_of(self, concrete):
        matches = [p for p in self.doc.get("paths", {}) if self.path_regex(p).match(concrete)]
        # A literal segment wins over a template (as /admin/analyses over a parameter).
        matches.sort(key=lambda p: p.count("{"))
        return matches[0] if matches else None

    def validate(self, instance, schema, what):
        try:
            jsonschema.Draft4Validator(self.to_json_schema(schema), resolver=self.resolver).validate(instance)
            return True
        except jsonschema.exceptions.ValidationError as e:
            self.fail("%s: %s (at /%s)" % (what, e.message[:400], "/".join(map(str, e.absolute_path))))
            return False

    def check_response(self, path, method, status, headers, body, response=None):
        """Checks one response against the description; `response`: a response
        object to check against instead of the operation's (405, unknown path)."""
        what = "%s %s -> %d" % (method.upper(), path, status)
        self.checked += 1
        if response is None:
            op = self.doc.get("paths", {}).get(path, {}).get(method)
            if op is None:
                self.fail("%s: the description has no %s %s" % (what, method.upper(), path))
                return
            self.exercised.setdefault((path, method), set()).add(status)
            responses = op.get("responses", {})
            response = responses.get(str(status), responses.get(status))
            if response is None:
                self.fail("%s: status %d is not documented for %s %s (documented: %s)"
                          % (what, status, method.upper(), path, ", ".join(sorted(map(str, responses)))))
                return
        response = self.deref(response)
        # Headers.
        declared = {k.lower(): self.deref(v) for k, v in response.get("headers", {}).items()}
        for name, h in declared.items():
            values = headers.get(name)
            if not values:
                if h.get("required"):
                    self.fail("%s: header %s is required and missing" % (what, name))
                continue
            value = values[0]
            schema = h.get("schema", {})
            if schema.get("type") == "integer":
                try:
                    value = int(value)
                except ValueError:
                    pass
            self.validate(value, schema, "%s: header %s %r" % (what, name, values[0]))
        for name in sorted(API_HEADERS & set(headers) - set(declared)):
            self.fail("%s: header %s is sent and not declared" % (what, name))
        # Content.
        content = response.get("content")
        media = (headers.get("content-type", [""])[0].split(";")[0].strip().lower())
        if not content:
            if body:
                self.fail("%s: a body (%d bytes, %s) where the description has none" % (what, len(body), media or "no type"))
            return
        if media not in content:
            self.fail("%s: Content-Type %r is not among %s" % (what, media, sorted(content)))
            return
        schema = content[media].get("schema")
        if schema is None:
            return
        if media == "application/json" or media.endswith("+json"):
            try:
                instance = json.loads(body)
            except ValueError:
                self.fail("%s: the body is not JSON: %r" % (what, body[:200]))
                return
        elif media in ("application/octet-stream",):
            return  # bytes: nothing more to say than the type
        else:
            try:
                instance = body.decode("utf-8")
            except UnicodeDecodeError:
                self.fail("%s: the %s body is not UTF-8" % (what, media))
                return
        self.validate(instance, schema, what + " body")

    def request_body_check(self, path, method, media, body, expect_valid):
        """Whether the request body we send agrees with the description:
        valid for a request that must succeed, invalid for one refused 422."""
        op = self.doc["paths"].get(path, {}).get(method, {})
        rb = op.get("requestBody")
        if rb is None:
            return
        rb = self.deref(rb)
        schema = rb.get("content", {}).get(media, {}).get("schema")
        if schema is None:
            self.fail("%s %s: request body type %s is not described" % (method.upper(), path, media))
            return
        try:
            instance = json.loads(body)
        except ValueError:
            instance = body  # not JSON: a string, which no object schema takes
        errors = list(jsonschema.Draft4Validator(self.to_json_schema(schema), resolver=self.resolver).iter_errors(instance))
        if expect_valid and errors:
            self.fail("%s %s: the body that succeeded is invalid per the description: %s"
                      % (method.upper(), path, errors[0].message[:300]))
        if not expect_valid and not errors:
            self.fail("%s %s: the body refused with 422 is valid per the description: %s"
                      % (method.upper(), path, body[:200]))

    # -- the workload ---------------------------------------------------------------------

    def call(self, path, method, target, expect, headers=None, json_body=None, body=None,
             content_type=None, declared_length=None):
        """Sends a request to the operation `method path`, checks its response
        against the description and that its status is `expect`; returns
        (status, headers, body)."""
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":")).encode()
            content_type = "application/json"
        if isinstance(body, str):
            body = body.encode()
        if content_type:
            headers["Content-Type"] = content_type
        status, got, data = self.send(method.upper(), target, headers, body, declared_length)
        self.check_response(path, method, status, got, data)
        if status != expect:
            self.fail("%s %s: expected %d, got %d: %r" % (method.upper(), target, expect, status, data[:300]))
        if content_type == "application/json" and status in (200, 201, 422) and declared_length is None:
            self.request_body_check(path, method, content_type, body, status != 422)
        return status, got, data

    def admin(self):
        return {"Authorization": "Bearer " + self.args.admin_token}

    @staticmethod
    def basic(job_id, key):
        return {"Authorization": "Basic " + base64.b64encode(("job-%s:%s" % (job_id, key)).encode()).decode()}

    @staticmethod
    def multipart(content=b"data", part="file"):
        boundary = "openapi" + uuid.uuid4().hex
        body = (("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"x\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n" % (boundary, part)).encode()
                + content + ("\r\n--%s--\r\n" % boundary).encode())
        return body, "multipart/form-data; boundary=" + boundary

    def workload(self, spec_text):
        A = self.admin()
        # Service routes.
        status, got, data = self.call("/openapi.yaml", "get", "/openapi.yaml", 200)
        etag = got.get("etag", [""])[0]
        self.call("/openapi.yaml", "get", "/openapi.yaml", 304, {"If-None-Match": etag})
        for p in ("/livez", "/readyz", "/healthz"):
            self.call(p, "get", p, 200)
        self.call("/metrics", "get", "/metrics", 200, A)
        self.call("/metrics", "get", "/metrics", 401)

        # Create.
        release = {"id": 7, "created_at": "2024-02-01T10:00:00.000000Z",
                   "download_url": "https://example.org/model.tar.gz",
                   "github_url": "https://example.org/release", "name": "1.0.7",
                   "published_at": "2024-01-30T09:00:00Z", "ready": True, "size": 1024,
                   "model": {"id": 1, "created_at": "2024-01-01T00:00:00Z", "description": "A model",
                             "latest_release": None, "name": "nuvs-ml", "release_count": 2}}
        full = {"workflow": "pathoscope_bowtie", "sample": {"id": "kigvhuql", "name": "Test 1"},
                "index": {"id": "qldihken", "version": 0}, "user": {"id": "igboyes", "handle": "Ian"},
                "subtractions": [{"id": "yhxoynb0", "name": "Arabidopsis Thaliana"}],
                "reference": {"id": "d19exr83", "name": "Plant Viruses", "data_type": "genome"},
                "ml": release}
        minimal = {"workflow": "nuvs", "sample": {"id": "s2", "name": "Test 2"},
                   "index": {"id": "i2", "version": 3}, "user": {"id": "u2"}}
        P = "/admin/analyses"
        one = json.loads(self.call(P, "post", P, 201, A, full)[2])
        two = json.loads(self.call(P, "post", P, 201, A, minimal)[2])
        three = json.loads(self.call(P, "post", P, 201, A, dict(minimal, reference=None, ml=None))[2])
        self.call(P, "post", P, 409, A, dict(minimal, id=one["id"]))
        self.call(P, "post", P, 422, A, {"workflow": 3, "sample": {"id": "x"}})
        self.call(P, "post", P, 422, A, dict(full, reference=dict(full["reference"], data_type="protein")))
        self.call(P, "post", P, 422, A, body="[1, 2", content_type="application/json")
        self.call(P, "post", P, 401, {}, minimal)
        self.call(P, "post", P, 401, {"Authorization": "Bearer wrong"}, minimal)
        self.call(P, "post", P, 413, A, body=b"", content_type="application/json",
                  declared_length=self.args.max_json_bytes + 1)

        # Acquire.
        J = "/admin/jobs/{job_id}"
        job1, job2, job3 = one["job"]["id"], two["job"]["id"], three["job"]["id"]
        key1 = json.loads(self.call(J, "patch", "/admin/jobs/" + job1, 200, A, {"acquired": True})[2])["key"]
        self.call(J, "patch", "/admin/jobs/" + job1, 400, A, {"acquired": True})
        self.call(J, "patch", "/admin/jobs/zzzzzzzz", 404, A, {"acquired": True})
        self.call(J, "patch", "/admin/jobs/" + job2, 422, A, {"acquired": False})
        self.call(J, "patch", "/admin/jobs/" + job2, 401, {}, {"acquired": True})
        self.call(J, "patch", "/admin/jobs/" + job2, 413, A, body=b"", content_type="application/json",
                  declared_length=self.args.max_json_bytes + 1)
        key2 = json.loads(self.call(J, "patch", "/admin/jobs/" + job2, 200, A, {"acquired": True})[2])["key"]
        key3 = json.loads(self.call(J, "patch", "/admin/jobs/" + job3, 200, A, {"acquired": True})[2])["key"]
        J1, J2, J3 = self.basic(job1, key1), self.basic(job2, key2), self.basic(job3, key3)

        # List.
        self.call(P, "get", P, 200, A)
        self.call(P, "get", P + "?page=2&per_page=1", 200, A)
        self.call(P, "get", P + "?per_page=0", 422, A)
        self.call(P, "get", P + "?page=abc&per_page=1000", 422, A)
        self.call(P, "get", P, 401)

        # Get, on both job paths and the operator's.
        id1, id2, id3 = one["id"], two["id"], three["id"]
        for base in ("/api/analyses", "/analyses"):
            G = base + "/{analysis_id}"
            _, got, _ = self.call(G, "get", "%s/%s" % (base, id1), 200, J1)
            self.call(G, "get", "%s/%s" % (base, id1), 304, dict(J1, **{"If-None-Match": got.get("etag", ["x"])[0]}))
            self.call(G, "get", "%s/%s" % (base, id1), 401)
            self.call(G, "get", "%s/%s" % (base, id1), 401, self.basic(job1, "0" * 64))
            self.call(G, "get", "%s/%s" % (base, id1), 401, {"Authorization": "Basic !!"})
            self.call(G, "get", "%s/%s" % (base, id1), 403, J2)
            self.call(G, "get", "%s/zzzzzzzz" % base, 404, J1)
        G = "/admin/analyses/{analysis_id}"
        _, got, _ = self.call(G, "get", "/admin/analyses/" + id1, 200, A)
        self.call(G, "get", "/admin/analyses/" + id1, 304, dict(A, **{"If-None-Match": got.get("etag", ["x"])[0]}))
        self.call(G, "get", "/admin/analyses/zzzzzzzz", 404, A)
        self.call(G, "get", "/admin/analyses/" + id1, 401)

        # Upload: POST and PUT on both paths, then each refusal.
        files = {}
        for base in ("/api/analyses", "/analyses"):
            U = base + "/{analysis_id}/files"
            for method, fmt in (("post", "fasta"), ("put", None)):
                name = "%s-%s.fa" % (base.strip("/").replace("/", "_"), method)
                body, ctype = self.multipart(b">seq\nACGT\n")
                query = "?name=" + name + ("&format=" + fmt if fmt else "")
                _, got, data = self.call(U, method, "%s/%s/files%s" % (base, id1, query), 201, J1,
                                         body=body, content_type=ctype)
                files[name] = json.loads(data)
        for base in ("/api/analyses", "/analyses"):
            U, target = base + "/{analysis_id}/files", "%s/%s/files" % (base, id1)
            for m in ("post", "put"):
                body, ctype = self.multipart()
                def up(query, expect, auth=J1, content=body, media=ctype, length=None, to=target):
                    self.call(U, m, to + query, expect, auth, body=content, content_type=media,
                              declared_length=length)
                up("", 422)
                up("?name=", 422)
                up("?name=a.exe&format=exe", 400)
                up("?name=..", 422)
                up("?name=a%2Fb", 422)
                up("?name=api_analyses-post.fa", 409)
                nopart, nctype = self.multipart(part="other")
                up("?name=nopart.txt", 400, content=nopart, media=nctype)
                up("?name=garbage.txt", 400, content=b"not multipart")
                up("?name=big.bin", 413, content=b"", length=self.args.max_body_bytes + 1)
                up("?name=x.txt", 401, auth={})
                up("?name=x.txt", 403, auth=J2)
                up("?name=x.txt", 404, to=base + "/zzzzzzzz/files")

        # Download.
        first = files["api_analyses-post.fa"]
        for base in ("/api/analyses", "/analyses"):
            D = base + "/{analysis_id}/files/{file_id}"
            self.call(D, "get", "%s/%s/files/%d" % (base, id1, first["id"]), 200, J1)
            self.call(D, "get", "%s/%s/files/abc" % (base, id1), 404, J1)
            self.call(D, "get", "%s/%s/files/999" % (base, id1), 404, J1)
            self.call(D, "get", "%s/%s/files/%d" % (base, id1, first["id"]), 401)
            self.call(D, "get", "%s/%s/files/%d" % (base, id1, first["id"]), 403, J2)
        D = "/admin/analyses/{analysis_id}/files/{file_id}"
        self.call(D, "get", "/admin/analyses/%s/files/%d" % (id1, first["id"]), 200, A)
        self.call(D, "get", "/admin/analyses/%s/files/999" % id1, 404, A)
        self.call(D, "get", "/admin/analyses/%s/files/%d" % (id1, first["id"]), 401)
        # A record whose bytes are gone.
        gone = files["analyses-put.fa"]
        os.remove(os.path.join(self.args.data_dir, "analyses", id1, gone["name_on_disk"]))
        self.call("/api/analyses/{analysis_id}/files/{file_id}", "get",
                  "/api/analyses/%s/files/%d" % (id1, gone["id"]), 404, J1)
        self.call(D, "get", "/admin/analyses/%s/files/%d" % (id1, gone["id"]), 404, A)

        # Finalize: every refusal on both job paths, then a success on each.
        for base in ("/api/analyses", "/analyses"):
            F = base + "/{analysis_id}"
            target = "%s/%s" % (base, id1)
            self.call(F, "patch", target, 422, J1, {"results": 1})
            self.call(F, "patch", target, 422, J1, body="{", content_type="application/json")
            self.call(F, "patch", target, 413, J1, body=b"", content_type="application/json",
                      declared_length=self.args.max_json_bytes + 1)
            self.call(F, "patch", target, 401, {}, {"results": {}})
            self.call(F, "patch", target, 403, J2, {"results": {}})
            self.call(F, "patch", base + "/zzzzzzzz", 404, J1, {"results": {}})
        self.call("/api/analyses/{analysis_id}", "patch", "/api/analyses/" + id1, 200, J1,
                  {"results": {"hits": [{"otu": "x", "pi": 0.5}]}, "other": 1})
        self.call("/analyses/{analysis_id}", "patch", "/analyses/" + id3, 200, J3, {"results": {}})
        for base in ("/api/analyses", "/analyses"):
            self.call(base + "/{analysis_id}", "patch", "%s/%s" % (base, id1), 409, J1, {"results": {}})
            self.call(base + "/{analysis_id}", "get", "%s/%s" % (base, id1), 200, J1)
        self.call(P, "get", P, 200, A)  # finalized documents in the list too

        # Remove: every refusal on both job paths, then a success on each.
        four = json.loads(self.call(P, "post", P, 201, A, minimal)[2])
        key4 = json.loads(self.call(J, "patch", "/admin/jobs/" + four["job"]["id"], 200, A,
                                    {"acquired": True})[2])["key"]
        for base in ("/api/analyses", "/analyses"):
            F = base + "/{analysis_id}"
            target = "%s/%s" % (base, id1)
            self.call(F, "delete", target, 409, J1)
            self.call(F, "delete", target, 403, J2)
            self.call(F, "delete", target, 401)
            self.call(F, "delete", base + "/zzzzzzzz", 404, J1)
        self.call("/analyses/{analysis_id}", "delete", "/analyses/" + id2, 204, J2)
        self.call("/api/analyses/{analysis_id}", "get", "/api/analyses/" + id2, 404, J2)
        self.call("/api/analyses/{analysis_id}", "delete", "/api/analyses/" + four["id"], 204,
                  self.basic(four["job"]["id"], key4))
        R = "/admin/analyses/{analysis_id}"
        self.call(R, "delete", "/admin/analyses/" + id1, 204, A)
        self.call(R, "delete", "/admin/analyses/" + id1, 404, A)
        self.call(R, "delete", "/admin/analyses/" + id3, 401)

        # Backup: into a fresh directory next to the data dir, then the refusals.
        B = "/admin/backup"
        dest = os.path.join(os.path.dirname(os.path.abspath(self.args.data_dir)), "openapi-backup")
        self.call(B, "post", B, 201, A, {"path": dest})
        self.call(B, "post", B, 409, A, {"path": dest})
        self.call(B, "post", B, 422, A, {"path": "relative/dir"})
        self.call(B, "post", B, 422, A, {"to": dest})
        self.call(B, "post", B, 401, {}, {"path": dest + "-2"})
        self.call(B, "post", B, 413, A, body=b"", content_type="application/json",
                  declared_length=self.args.max_json_bytes + 1)

        # An unknown path.
        status, got, data = self.send("GET", "/no/such/path")
        self.check_response("/no/such/path", "get", status, got, data,
                            response={"$ref": "#/components/responses/NotFound"})
        if status != 404:
            self.fail("GET /no/such/path: expected 404, got %d" % status)

    # -- the router against the description ------------------------------------------------

    def sample(self, template):
        return re.sub(r"\{([^}]+)\}", lambda m: "1" if m.group(1) == "file_id" else "abcdefgh", template)

    def probe(self, concrete):
        """(known, allowed methods) from an OPTIONS request: no route takes
        OPTIONS, so a known path answers 405 with Allow, an unknown one 404."""
        status, got, data = self.send("OPTIONS", concrete)
        if status == 404:
            self.check_response(concrete, "options", status, got, data,
                                response={"$ref": "#/components/responses/NotFound"})
            return False, set()
        if status != 405:
            self.fail("OPTIONS %s: expected 405 or 404, got %d" % (concrete, status))
            return False, set()
        self.check_response(concrete, "options", status, got, data,
                            response={"$ref": "#/components/responses/MethodNotAllowed"})
        allow = got.get("allow", [""])[0]
        return True, {m.strip().lower() for m in allow.split(",") if m.strip()}

    def check_routes(self):
        paths = self.doc.get("paths", {})
        for path, item in paths.items():
            methods = {m for m in METHODS if m in item}
            known, allowed = self.probe(self.sample(path))
            if not known:
                self.fail("%s is described and the server does not serve it" % path)
                continue
            if allowed != methods:
                self.fail("%s: the server takes %s, the description %s"
                          % (path, sorted(m.upper() for m in allowed), sorted(m.upper() for m in methods)))
            for method in methods:
                if 200 <= min(self.exercised.get((path, method), {999})) < 300:
                    continue
                self.fail("%s %s is described and the workload never got a 2xx from it"
                          % (method.upper(), path))
        # Path literals in the sources: each, and each followed by one that
        # starts with a parameter (the router's `prefix + "/:id"`), is either
        # unknown to the router or described.
        literals = set()
        for pattern in ("http/*.cpp", "app/**/*.cpp", "main.cpp"):
            for name in glob.glob(os.path.join(self.args.sources, pattern), recursive=True):
                with open(name, encoding="utf-8", errors="replace") as f:
                    literals |= set(re.findall(r'"(/[A-Za-z0-9_.:/-]+)"', f.read()))
        candidates = literals | {a + b for a in literals for b in literals if b.startswith("/:")}
        probed = 0
        for c in sorted(candidates):
            concrete = re.sub(r":([A-Za-z_]+)", lambda m: "1" if m.group(1) == "file_id" else "abcdefgh", c)
            if self.spec_path_of(concrete):
                continue
            probed += 1
            known, allowed = self.probe(concrete)
            if known:
                self.fail("the server serves %s (%s, from the source literal %r) and the description "
                          "has no such path" % (concrete, ", ".join(sorted(m.upper() for m in allowed)), c))
        print("route check: %d described paths, %d source literals, %d other candidate paths probed"
              % (len(paths), len(literals), probed))

    # -- main ---------------------------------------------------------------------------------

    def run(self):
        status, got, served = self.send("GET", "/openapi.yaml")
        if status != 200:
            self.fail("GET /openapi.yaml: %d" % status)
            return
        with open(self.args.spec, "rb") as f:
            repo = f.read()
        if served != repo:
            self.fail("GET /openapi.yaml is not %s byte for byte (%d bytes served, %d in the file)"
                      % (self.args.spec, len(served), len(repo)))
        text = served.decode("utf-8")
        # Self-tests of this checker: the same run against a broken description.
        for old, new in self.args.mutate:
            if old not in text:
                self.fail("--mutate: %r is not in the description" % old)
            text = text.replace(old, new)
        self.load(text)
        for method, path, status in self.args.drop_status:
            del self.doc["paths"][path][method.lower()]["responses"][status]
            self.schema_doc = self.to_json_schema(copy.deepcopy(self.doc))
            self.resolver = jsonschema.RefResolver.from_schema(self.schema_doc)
        if str(self.doc.get("info", {}).get("version")) != self.args.version:
            self.fail("info.version is %s, the server's version %s"
                      % (self.doc.get("info", {}).get("version"), self.args.version))
        self.check_document()
        self.workload(text)
        self.check_routes()
        seen = set()
        for statuses in self.exercised.values():
            seen |= statuses
        seen.add(405)  # probed in check_routes
        for s in sorted(REQUIRED_STATUSES - seen):
            self.fail("the workload never produced a %d" % s)
        untested = []
        for path, method in self.operations():
            op = self.doc["paths"][path][method]
            for s in op.get("responses", {}):
                if int(s) not in self.exercised.get((path, method), set()):
                    untested.append("%s %s %s" % (method.upper(), path, s))
        if self.args.verbose:
            for u in untested:
                print("not produced: " + u)
        print("%d responses checked over %d operations; documented and not produced here "
              "(server faults, races): %d" % (self.checked, len(self.exercised), len(untested)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--data-dir", required=True, help="the server's data dir")
    parser.add_argument("--spec", required=True, help="the source tree's openapi.yaml")
    parser.add_argument("--sources", required=True, help="the source tree")
    parser.add_argument("--version", required=True, help="the server's version")
    parser.add_argument("--max-json-bytes", type=int, required=True)
    parser.add_argument("--max-body-bytes", type=int, required=True)
    parser.add_argument("--verbose", action="store_true", help="list the documented responses not produced")
    parser.add_argument("--mutate", nargs=2, action="append", default=[], metavar=("OLD", "NEW"),
                        help="self-test: replace OLD by NEW in the description before checking")
    parser.add_argument("--drop-status", nargs=3, action="append", default=[],
                        metavar=("METHOD", "PATH", "STATUS"),
                        help="self-test: remove a response from the description before checking")
    args = parser.parse_args()
    checker = Checker(args)
    try:
        checker.run()
    except Exception as e:  # a crash of the checker is a failure too, with its trace
        import traceback
        traceback.print_exc()
        checker.fail("the checker stopped: %r" % e)
    print("openapi check: %d responses checked, %d failures" % (checker.checked, len(checker.failures)))
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
