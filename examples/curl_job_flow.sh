#!/usr/bin/env bash
# Shows the complete analysisd job flow with plain curl: an operator creates an
# analysis and acquires its job key, the job reads the analysis, uploads a file,
# downloads it back, finalizes with results, and a second analysis is removed.
#
# Usage: ANALYSISD_URL=http://127.0.0.1:9950 ANALYSISD_ADMIN_TOKEN=... examples/curl_job_flow.sh
# Without ANALYSISD_ADMIN_TOKEN the token is read from ./data/admin-token.
# Exits non-zero at the first response that is not the expected one.

set -euo pipefail

url="${ANALYSISD_URL:-http://127.0.0.1:9950}"
token="${ANALYSISD_ADMIN_TOKEN:-}"
if [[ -z "$token" ]]; then
  token="$(cat ./data/admin-token)"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# request EXPECTED_STATUS curl-arguments...: runs curl, keeps the body in
# $work/body and fails unless the status is EXPECTED_STATUS.
request() {
  local expected="$1"
  shift
  local status
  status="$(curl -sS -o "$work/body" -w '%{http_code}' "$@")"
  if [[ "$status" != "$expected" ]]; then
    echo "FAILED: curl $* -> $status, expected $expected" >&2
    cat "$work/body" >&2 || true
    echo >&2
    exit 1
  fi
}

# field NAME: the first string value of "NAME" in the last body (compact JSON).
field() {
  grep -o "\"$1\":\"[^\"]*\"" "$work/body" | sed -n '1s/.*:"\(.*\)"$/\1/p'
}

# expect_body TEXT: fails unless the last body contains TEXT.
expect_body() {
  if ! grep -qF -- "$1" "$work/body"; then
    echo "FAILED: body does not contain $1:" >&2
    cat "$work/body" >&2
    echo >&2
    exit 1
  fi
}

# The job's id: the first "id" inside the document's "job" object.
job_id() {
  grep -o '"job":{[^}]*' "$work/body" | grep -o '"id":"[a-z0-9]*"' | sed -n '1s/.*:"\(.*\)"$/\1/p'
}

admin=(-H "Authorization: Bearer $token")
json=(-H 'Content-Type: application/json')
create_body='{"workflow": "pathoscope_bowtie", "sample": {"id": "kigvhuql", "name": "Test 1"},
  "index": {"id": "qldihken", "version": 0}, "user": {"id": "igboyes", "handle": "Ian Boyes"},
  "subtractions": [{"id": "yhxoynb0", "name": "Arabidopsis Thaliana"}],
  "reference": {"id": "d19exr83", "name": "Plant Viruses", "data_type": "genome"}}'

echo "1. operator creates an analysis"
request 201 -X POST "${admin[@]}" "${json[@]}" --data "$create_body" "$url/admin/analyses"
analysis="$(field id)"
job="$(job_id)"
expect_body '"reference":{"data_type":"genome","id":"d19exr83","name":"Plant Viruses"}'
expect_body '"state":"waiting"'
echo "   analysis $analysis, job $job"

echo "2. operator acquires the job key (shown only once)"
request 200 -X PATCH "${admin[@]}" "${json[@]}" --data '{"acquired": true}' "$url/admin/jobs/$job"
key="$(field key)"
[[ ${#key} -eq 64 ]] || { echo "FAILED: key is not 64 characters" >&2; exit 1; }
request 400 -X PATCH "${admin[@]}" "${json[@]}" --data '{"acquired": true}' "$url/admin/jobs/$job"
job_auth=(-u "job-$job:$key")

echo "3. job reads its analysis"
request 200 "${job_auth[@]}" "$url/api/analyses/$analysis"
expect_body '"ready":false'
expect_body '"state":"running"'
expect_body '"handle":"Ian Boyes"'
request 401 -u "job-$job:0000" "$url/api/analyses/$analysis"

echo "4. job uploads a file"
head -c 2000000 /dev/urandom >"$work/results.fa"
request 201 "${job_auth[@]}" -H 'Expect:' -F "file=@$work/results.fa" \
  "$url/api/analyses/$analysis/files?name=results.fa&format=fasta"
file_id="$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$work/body")"
expect_body '"name_on_disk":"1-results.fa"'
echo "   file $file_id"
request 409 "${job_auth[@]}" -H 'Expect:' -F "file=@$work/results.fa" \
  "$url/api/analyses/$analysis/files?name=results.fa&format=fasta"

echo "5. job downloads the file and compares it"
request 200 "${job_auth[@]}" "$url/api/analyses/$analysis/files/$file_id"
cmp "$work/body" "$work/results.fa"

echo "6. job finalizes with results"
request 200 -X PATCH "${job_auth[@]}" "${json[@]}" --data '{"results": {"hits": 3}}' \
  "$url/api/analyses/$analysis"
expect_body '"ready":true'
request 409 -X PATCH "${job_auth[@]}" "${json[@]}" --data '{"results": {"hits": 4}}' \
  "$url/api/analyses/$analysis"

echo "7. job reads the finalized analysis with its results"
request 200 "${job_auth[@]}" "$url/api/analyses/$analysis"
expect_body '"results":{"hits":3}'
expect_body '"state":"complete"'
expect_body '"name":"results.fa"'

echo "8. a second analysis is created, acquired and removed by its job"
request 201 -X POST "${admin[@]}" "${json[@]}" --data "$create_body" "$url/admin/analyses"
second="$(field id)"
second_job="$(job_id)"
request 200 -X PATCH "${admin[@]}" "${json[@]}" --data '{"acquired": true}' \
  "$url/admin/jobs/$second_job"
second_auth=(-u "job-$second_job:$(field key)")
request 204 -X DELETE "${second_auth[@]}" "$url/api/analyses/$second"
request 404 "${admin[@]}" "$url/admin/analyses/$second"

echo "OK: the whole job flow behaved as specified"
