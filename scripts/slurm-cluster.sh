#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the sweep tests (as root; no systemd needed):
#   scripts/slurm-cluster.sh start    start munged, slurmctld and slurmd; wait until the node is idle
#   scripts/slurm-cluster.sh stop     cancel the cluster's jobs, stop the daemons
#   scripts/slurm-cluster.sh status   say whether it is up
#   scripts/slurm-cluster.sh env      print `export SLURM_CONF=…` (eval it to use sbatch, squeue, … by hand)
# Everything (config, munge key and socket, state, logs, pid files) lives under $SLURM_TEST_DIR
# (default ${TMPDIR:-/tmp}/disentangle-slurm). Ports: $SLURM_TEST_PORT (controller, default 6817) and the
# next one (node daemon). Facts behind each setting: ../shared/reference/slurm.md of the project notes.
set -euo pipefail

DIR="${SLURM_TEST_DIR:-${TMPDIR:-/tmp}/disentangle-slurm}"
PORT="${SLURM_TEST_PORT:-6817}"
CONF="$DIR/slurm.conf"
HOST="$(hostname -s)"
export SLURM_CONF="$CONF"

die() {
  echo "slurm-cluster: $*" >&2
  exit 1
}

pid_of() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && cat "$1"; }

node_state() { sinfo -h -n "$HOST" -o %T 2>/dev/null | head -1; }

up() { pid_of "$DIR/slurmctld.pid" >/dev/null && pid_of "$DIR/slurmd.pid" >/dev/null && [ -n "$(node_state)" ]; }

write_conf() {
  local cpus mem
  cpus="$(nproc)"
  # RealMemory must not exceed what slurmd itself measures, or the node is drained
  mem="$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')"
  mem=$((mem > 1024 ? mem - 512 : mem))
  cat >"$CONF" <<EOF
ClusterName=disentangle-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# the sandbox has no cgroup freezer: proctrack/cgroup would drain the node
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MailProg=/bin/true
# submit to done in about a second instead of three
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# finished jobs stay visible to scontrol for an hour (no accounting database here)
MinJobAge=3600
ReturnToService=2
MpiDefault=none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null ||
    die "Slurm is not installed: apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge"
  [ "$(id -u)" = 0 ] || die "starting the test cluster needs root (slurmd runs jobs as their users)"
  if up; then
    echo "slurm-cluster: already up ($CONF)"
    return 0
  fi
  stop >/dev/null 2>&1 || true
  mkdir -p "$DIR"/{state,spool,log,munge}
  # munge: its own key and socket; the socket's folder must be reachable by every user
  chmod 755 "$DIR" "$DIR/munge"
  [ -s "$DIR/munge/munge.key" ] || mungekey -c -k "$DIR/munge/munge.key" >/dev/null 2>&1 ||
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  chmod 600 "$DIR/munge/munge.key"
  munged --force --key-file="$DIR/munge/munge.key" -S "$DIR/munge/munge.socket" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" \
    --seed-file="$DIR/munge/munged.seed" --origin=127.0.0.1
  write_conf
  # absolute config path: with a relative one the daemons loop on "cannot stat file" after forking
  slurmctld -f "$CONF" -i
  slurmd -f "$CONF"
  local i state
  for i in $(seq 1 150); do
    state="$(node_state || true)"
    if [ "$state" = idle ]; then
      echo "slurm-cluster: up, node $HOST idle ($CONF)"
      return 0
    fi
    sleep 0.2
  done
  echo "node state: '${state:-none}'; last log lines:" >&2
  tail -n 5 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
  die "the node did not become idle within 30 s"
}

stop() {
  [ -f "$CONF" ] && pid_of "$DIR/slurmctld.pid" >/dev/null && scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
  local f pid
  for f in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" "$DIR/munge/munged.pid"; do
    if pid="$(pid_of "$f")"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  echo "slurm-cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if up; then echo "up: node $HOST $(node_state) ($CONF)"; else echo "down"; exit 3; fi ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) die "usage: $0 start|stop|status|env" ;;
esac
