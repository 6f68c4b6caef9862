#!/usr/bin/env bash
# Writes the old-store fixture: starts the built service on a fresh store (SQLite or PostgreSQL),
# runs the writer against it, stops the service cleanly and copies the store out.
#   dotnet build -c Release HazardGrid.sln && dotnet build -c Release tests/Compatibility/OldStoreWriter
#   tests/Compatibility/OldStoreWriter/run.sh sqlite     tests/HazardGrid.Tests/Compatibility/OldStore
#   tests/Compatibility/OldStoreWriter/run.sh postgresql tests/HazardGrid.Tests/Compatibility/OldStore
# PostgreSQL mode uses the server of .ci/postgres-up (127.0.0.1:55432) and a database of its own.
set -euo pipefail
mode=$1
out=$(realpath "$2")
root=$(cd "$(dirname "$0")/../../.." && pwd)
silo="$root/src/Silo/bin/Release/net10.0/HazardGrid.Silo.dll"
writer="$root/tests/Compatibility/OldStoreWriter/bin/Release/net10.0/OldStoreWriter.dll"
grpc=${OLDSTORE_GRPC_PORT:-5190}
work=$(mktemp -d /tmp/oldstore-writer.XXXXXX)
# The writer's ladder: a warning letter at the deadline and, at once after it, public exposure with
# the supervision level raised; industry-and-trade hazards get the warning letter only. Rungs at
# +0 days fire within seconds, so the fixture holds fired steps of both kinds without waiting weeks.
ladder=(
  --HazardGrid:Escalation:Ladder:0:Step=WarningLetter --HazardGrid:Escalation:Ladder:0:Days=0
  --HazardGrid:Escalation:Ladder:1:Step=PublicExposure --HazardGrid:Escalation:Ladder:1:Days=0
  --HazardGrid:Escalation:Ladder:1:RaisesLevel=true
  --HazardGrid:Escalation:Overrides:0:Sector=IndustryTrade
  --HazardGrid:Escalation:Overrides:0:Ladder:0:Step=WarningLetter --HazardGrid:Escalation:Overrides:0:Ladder:0:Days=0
)
common=(--HazardGrid:Dashboard=false --HazardGrid:Endpoints:GrpcPort=$grpc --HazardGrid:Endpoints:HttpPort=0
        --HazardGrid:SiloPort=${OLDSTORE_SILO_PORT:-11190} --HazardGrid:GatewayPort=${OLDSTORE_GATEWAY_PORT:-30190})

case $mode in
  sqlite)
    dotnet "$silo" --HazardGrid:DataDirectory="$work/data" "${common[@]}" "${ladder[@]}" >"$work/silo.log" 2>&1 &
    ;;
  postgresql)
    eval "$(bash "$root/.ci/postgres-up")"
    database=hg_oldstore_fixture_$$
    psql -X -q "host=127.0.0.1 port=55432 user=postgres dbname=postgres" -c "CREATE DATABASE $database"
    HazardGrid__Mode=PostgreSql ConnectionStrings__HazardGrid="Host=127.0.0.1;Port=55432;Username=postgres;Database=$database" \
      dotnet "$silo" "${common[@]}" "${ladder[@]}" >"$work/silo.log" 2>&1 &
    ;;
  *) echo "usage: $0 sqlite|postgresql OUTDIR" >&2; exit 2 ;;
esac
pid=$!
# On any failure: stop the service this script started, and drop its database.
cleanup() {
  kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "${database:-}" ] && psql -X -q "host=127.0.0.1 port=55432 user=postgres dbname=postgres" -c "DROP DATABASE IF EXISTS $database" || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 180); do grep -q "HazardGrid is running" "$work/silo.log" && break; sleep 0.5; done
grep -q "HazardGrid is running" "$work/silo.log" || { cat "$work/silo.log"; kill "$pid"; exit 1; }

dotnet "$writer" "http://127.0.0.1:$grpc" "$out/manifest-$mode.json"

# A clean stop: the host shuts the silo down (membership row marked dead, SQLite connections closed).
kill -TERM "$pid"
wait "$pid" || true

case $mode in
  sqlite)
    # Everything committed into the main file, which then stands alone (no -wal beside it).
    sqlite3 "$work/data/hazardgrid.db" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;" >/dev/null
    test ! -s "$work/data/hazardgrid.db-wal"
    sqlite3 "$work/data/hazardgrid.db" "PRAGMA integrity_check;" | grep -qx ok
    cp "$work/data/hazardgrid.db" "$out/hazardgrid.db"
    ;;
  postgresql)
    pg_dump --no-owner --no-privileges --format=plain "host=127.0.0.1 port=55432 user=postgres dbname=$database" >"$out/oldstore-postgresql.sql"
    ;;
esac
echo "fixture ($mode) written to $out"
