#!/usr/bin/env bash
# The answer files the example templates ship (profiles/templates/<template>/), rendered by
# `rackboot render <mac> --file NAME` for machines of the example rack, then checked by each installer's own
# validator:
#   kickstart (.ks)   pykickstart's ksvalidator -v RHEL9
#   preseed (.cfg)    debconf-set-selections --checkonly, with no warning either (it only warns, exit 0, about a
#                     line of unknown type and skips it)
#   user-data         cloud-init schema (Debian 12's cloud-init 22.4), then its autoinstall: section against
#                     Tests/integration/autoinstall-subset.schema.json: cloud-init checks no more of it than an
#                     integer version
#   meta-data         YAML: a mapping with instance-id and local-hostname
# Every rendered file must name its machine and keep no '{{'. Each validator must also reject a deliberately broken
# copy, so one that cannot fail is caught. scripts/install-answer-file-validators.sh first installs pykickstart and
# cloud-init under .build/validators (never system-wide); `make deps` installs the Debian packages they need.
# Usage: Tests/integration/answer-files.sh path/to/rackboot   (run from anywhere)
set -uo pipefail
rackboot=$(realpath "${1:?usage: answer-files.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
source Tests/lib/report.sh
example=docs/examples/rackboot.yaml
validators=$PWD/.build/validators
# Debian's python3, whose dist-packages hold cloud-init's libraries (a pyenv or venv python3 may come first in PATH).
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Machines of the example rack, at least one per template, and the answer file to render for each: MAC, host, file.
# db-01 sets the preseed's packages variable; hpc-01 and hpc-02 are in the relayed rack. (hpc-03 has no fixed IP:
# render needs its lease, in a state directory this test does not have, to know its address.)
checks=(
    "52:54:00:20:00:11 web-01 preseed.cfg"
    "52:54:00:20:00:21 db-01 preseed.cfg"
    "52:54:00:30:00:31 hpc-01 compute.ks"
    "52:54:00:30:00:32 hpc-02 compute.ks"
    "52:54:00:20:00:31 app-01 user-data"
    "52:54:00:20:00:31 app-01 meta-data"
)

if bash scripts/install-answer-file-validators.sh "$validators" > "$work/install.log" 2>&1; then
    pass "the validators are installed under .build/validators"
else
    fail "the validators are installed under .build/validators" "$(tail -15 "$work/install.log")"
    report answer-files
    exit 1
fi

# --- the validators: FILE OUTPUT; each returns non-zero and leaves its findings in OUTPUT when FILE is invalid ---
validate_kickstart() {
    "$validators/pykickstart/bin/ksvalidator" -v RHEL9 "$1" > "$2" 2>&1
}

validate_preseed() {
    debconf-set-selections --checkonly "$1" > "$2" 2>&1 && [ ! -s "$2" ]
}

cloud_init() {
    PYTHONPATH="$validators/cloud-init/root/usr/lib/python3/dist-packages" "$python" -m cloudinit.cmd.main "$@"
}

# cloud-init 22.4 exits 0 on schema errors when given --annotate, so the verdict comes from a run without it and
# the annotated file is only kept for the report.
validate_cloud_config() {
    if cloud_init schema --config-file "$1" > "$2" 2>&1; then return 0; fi
    cloud_init schema --config-file "$1" --annotate >> "$2" 2>&1
    return 1
}

validate_autoinstall() {
    "$python" - "$1" Tests/integration/autoinstall-subset.schema.json > "$2" 2>&1 << 'PYTHON'
import json, sys
import jsonschema, yaml
document = yaml.safe_load(open(sys.argv[1]))
schema = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator.check_schema(schema)
section = document.get("autoinstall") if isinstance(document, dict) else None
if section is None:
    sys.exit("no autoinstall: section")
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(section), key=lambda e: list(e.absolute_path))
for error in errors:
    print("autoinstall" + "".join("." + str(p) for p in error.absolute_path) + ": " + error.message)
sys.exit(1 if errors else 0)
PYTHON
}

validate_user_data() {
    validate_cloud_config "$1" "$2" && validate_autoinstall "$1" "$2.autoinstall"
    local status=$?
    cat "$2.autoinstall" >> "$2" 2> /dev/null
    return $status
}

validate_meta_data() {
    "$python" - "$1" > "$2" 2>&1 << 'PYTHON'
import sys
import yaml
document = yaml.safe_load(open(sys.argv[1]))
if not isinstance(document, dict):
    sys.exit("meta-data is not a YAML mapping")
missing = [key for key in ("instance-id", "local-hostname") if not isinstance(document.get(key), str) or not document[key]]
if missing:
    sys.exit("meta-data lacks " + ", ".join(missing))
PYTHON
}

validator_for() { # FILE-NAME: the validate_ function for it
    case $1 in
        *.ks) echo validate_kickstart ;;
        *.cfg) echo validate_preseed ;;
        user-data) echo validate_user_data ;;
        meta-data) echo validate_meta_data ;;
        *) echo "" ;;
    esac
}

# --- every answer file the templates ship is among the checks, so a new one cannot go unvalidated ---
"$python" - profiles/templates > "$work/shipped" << 'PYTHON'
import pathlib, sys
import yaml
for template in sorted(pathlib.Path(sys.argv[1]).glob("*.yaml")):
    files = (yaml.load(template.read_text(), Loader=yaml.BaseLoader) or {}).get("files") or {}
    for name in files:
        print(template.stem + ":" + name)
PYTHON
for check in "${checks[@]}"; do
    read -r mac host name <<< "$check"
    echo "$(sed -n 's/^template: //p' "profiles/$host.yaml"):$name"
done | sort -u > "$work/covered"
uncovered=$(comm -23 <(sort -u "$work/shipped") "$work/covered")
if [ -s "$work/shipped" ] && [ -z "$uncovered" ]; then
    pass "every answer file a template ships is rendered and validated here ($(wc -l < "$work/shipped") files)"
else
    fail "every answer file a template ships is rendered and validated here" "not checked: ${uncovered:-none shipped}"
fi

# --- render each one for its machine and validate it ---
for check in "${checks[@]}"; do
    read -r mac host name <<< "$check"
    out="$work/$host-$name"
    if "$rackboot" render "$mac" --config "$example" --file "$name" > "$out" 2> "$out.err" && [ -s "$out" ]; then
        pass "render $mac --file $name prints $host's $name"
    else
        fail "render $mac --file $name prints $host's $name" "$(head -5 "$out.err")"
        continue
    fi
    if grep -qw -- "$host" "$out"; then pass "$host's $name names $host"; else
        fail "$host's $name names $host" "$(head -5 "$out")"
    fi
    if grep -n '{{' "$out" > "$work/left"; then
        fail "$host's $name has no '{{' left" "$(head -5 "$work/left")"
    else
        pass "$host's $name has no '{{' left"
    fi
    if [ "$name" != meta-data ]; then
        if grep -Eq "(wget|curl) .*'https?://[^' ]+'" "$out"; then
            pass "$host's $name requests the install-completion callback"
        else
            fail "$host's $name requests the install-completion callback" "no wget or curl of a quoted http URL"
        fi
    fi
    validator=$(validator_for "$name")
    if "$validator" "$out" "$out.check"; then pass "$host's $name passes $validator"; else
        fail "$host's $name passes $validator" "$(head -20 "$out.check")"
    fi
done

# A profile's variable reaches its answer file.
if grep -qx "d-i pkgsel/include string postgresql" "$work/db-01-preseed.cfg" 2> /dev/null; then
    pass "db-01's packages variable reaches its preseed"
else
    fail "db-01's packages variable reaches its preseed" "$(grep pkgsel/include "$work/db-01-preseed.cfg" 2> /dev/null)"
fi
if grep -qx "instance-id: app-01" "$work/app-01-meta-data" 2> /dev/null &&
    grep -qx "local-hostname: app-01" "$work/app-01-meta-data"; then
    pass "app-01's meta-data gives its instance-id and local-hostname"
else
    fail "app-01's meta-data gives its instance-id and local-hostname" "$(cat "$work/app-01-meta-data" 2> /dev/null)"
fi

# A file the machine's template does not have: an error on stderr, exit 1, nothing on stdout.
"$rackboot" render 52:54:00:20:00:11 --config "$example" --file user-data > "$work/none.out" 2> "$work/none.err"
status=$?
if [ "$status" -eq 1 ] && [ -s "$work/none.err" ] && [ ! -s "$work/none.out" ]; then
    pass "render --file of a file the template does not have fails with exit 1"
else
    fail "render --file of a file the template does not have fails with exit 1" "exit $status" "$(head -3 "$work/none.err")"
fi

# --- each validator rejects a broken copy ---
# rejects NAME VALIDATOR ORIGINAL SED-SCRIPT: the sed script must change the file, and the validator must fail on it.
rejects() {
    local name=$1 validator=$2 original=$3 broken="$work/broken-$RANDOM"
    sed -e "$4" "$original" > "$broken"
    if cmp -s "$original" "$broken"; then
        fail "$name" "the sed script changed nothing in $(basename "$original")"
    elif "$validator" "$broken" "$broken.check"; then
        fail "$name" "$validator accepted it"
    else
        pass "$name: $(grep -m1 -iE 'unknown|unrecognized|errors:|error: |warning:|lacks|is not|not allowed' \
            "$broken.check" | cut -c1-110)"
    fi
}
rejects "ksvalidator rejects a misspelled kickstart command" validate_kickstart "$work/hpc-01-compute.ks" \
    's/^network /netwrok /'
rejects "ksvalidator rejects a kickstart option its command lacks" validate_kickstart "$work/hpc-01-compute.ks" \
    's/^autopart$/autopart --layout=plain --sizes=big/'
rejects "debconf-set-selections rejects a preseed line of unknown type" validate_preseed "$work/web-01-preseed.cfg" \
    's|^d-i clock-setup/utc boolean true$|d-i clock-setup/utc booleen true|'
rejects "debconf-set-selections rejects a preseed line without type and value" validate_preseed \
    "$work/web-01-preseed.cfg" 's|^d-i mirror/suite string bookworm$|d-i mirror/suite|'
rejects "cloud-init schema rejects a cloud-config value of the wrong type" validate_cloud_config \
    "$work/app-01-user-data" 's/^  version: 1$/  version: "1"/'
rejects "cloud-init schema rejects a non-boolean ssh_pwauth" validate_cloud_config "$work/app-01-user-data" \
    '$a ssh_pwauth: [true]'
rejects "the autoinstall schema rejects a non-boolean ssh allow-pw" validate_autoinstall "$work/app-01-user-data" \
    's/allow-pw: false/allow-pw: "no"/'
rejects "the autoinstall schema rejects a misspelled section" validate_autoinstall "$work/app-01-user-data" \
    's/^  late-commands:$/  late-command:/'
rejects "the meta-data check rejects meta-data without instance-id" validate_meta_data "$work/app-01-meta-data" \
    '/^instance-id:/d'

report answer-files
