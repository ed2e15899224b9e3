#!/usr/bin/env bash
# Lints the GitHub Actions workflows, offline:
#  1. action-validator (@action-validator/cli, a devDependency: its WebAssembly build
#     ships in the npm package) checks each file against the workflow schema and the
#     job graph (unknown keys, wrong types, `needs` naming no job, unknown anchors).
#  2. This repository's rules, which no schema knows:
#     - every action is pinned to a major version (@v6) or a full commit SHA;
#     - no long-lived AWS keys: AWS credentials come from OIDC (role-to-assume) only;
#     - a workflow that assumes an AWS role asks for `id-token: write`.
# Usage: .ci/lint-workflows.sh [workflow.yml ...]   (default: .github/workflows/*.yml)
set -euo pipefail
cd "$(dirname "$0")/.."

if (($# > 0)); then
  workflows=("$@")
else
  shopt -s nullglob
  workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
  shopt -u nullglob
fi
if ((${#workflows[@]} == 0)); then
  echo "lint-workflows: no workflow found in .github/workflows/" >&2
  exit 1
fi

failures=0
fail() {
  echo "FAIL $1: $2" >&2
  failures=$((failures + 1))
}

for workflow in "${workflows[@]}"; do
  errors_before=$failures
  if [[ ! -f "$workflow" ]]; then
    fail "$workflow" "no such file"
    continue
  fi
  if ! npm exec --no -- action-validator "$workflow"; then
    fail "$workflow" "action-validator rejected it (errors above)"
  fi

  # `uses: owner/repo[/path]@ref`: ref is vN or a 40-hex SHA; local (./) actions are fine.
  while IFS= read -r line; do
    number=${line%%:*}
    ref=$(sed -E 's/^[0-9]+:[[:space:]-]*uses:[[:space:]]*//; s/[[:space:]]+#.*$//; s/^["'\'']//; s/["'\'']$//' <<<"$line")
    [[ "$ref" == ./* ]] && continue
    if [[ ! "$ref" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@(v[0-9]+|[0-9a-f]{40})$ ]]; then
      fail "$workflow:$number" "\"$ref\" is not pinned to a major version (@v6) or a commit SHA"
    fi
  done < <(grep -nE '^[[:space:]]*(-[[:space:]]+)?uses:' "$workflow" || true)

  if grep -nEi 'aws-(access-key-id|secret-access-key|session-token)[[:space:]]*:|AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)' "$workflow"; then
    fail "$workflow" "AWS keys above: authenticate by OIDC (configure-aws-credentials with role-to-assume)"
  fi
  if grep -q 'aws-actions/configure-aws-credentials@' "$workflow"; then
    grep -q 'role-to-assume:' "$workflow" || fail "$workflow" "configure-aws-credentials without role-to-assume"
    grep -qE '^[[:space:]]*id-token:[[:space:]]*write' "$workflow" ||
      fail "$workflow" "assumes an AWS role without 'permissions: id-token: write' (no OIDC token without it)"
  fi

  ((failures == errors_before)) && echo "ok   $workflow"
done

if ((failures > 0)); then
  echo "lint-workflows: $failures problem(s) in ${#workflows[@]} workflow(s)" >&2
  exit 1
fi
echo "lint-workflows: ${#workflows[@]} workflow(s) valid"
