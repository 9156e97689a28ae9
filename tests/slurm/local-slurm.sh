#!/usr/bin/env bash
# A single-node Slurm on this machine, for tests: sourced by the Slurm test scripts.
#   slurm_install        apt-get installs slurm-wlm and munge if sbatch is missing (returns 3 when this machine cannot install)
#   slurm_test_runner    builds the runner (Release) and sets the array runner=(dotnet …/runner.dll)
#   submitted_ids N      the Nth job id (1 = array, 2 = merge) of the runner's "submitted: array=… merge=…" line on stdin
#   slurm_install_or_skip
#                        the test scripts' use of it: the step message, then exit 0 with "LABEL: SKIPPED: …" when this machine
#                        cannot install Slurm, or fail when the installation fails
#   slurm_start DIR      writes DIR/slurm.conf, starts munged (unless one answers already), slurmctld and slurmd; exports SLURM_CONF
#   slurm_stop           stops exactly the daemons slurm_start started, by pid (safe to call twice; meant for an EXIT trap)
#   wait_gone IDS LIMIT  waits (at most LIMIT s) until none of the comma-separated job ids is queued; else calls the script's fail
#   job_state ID         the job's state (COMPLETED, CANCELLED, …)
#   slurm_test_traps LABEL RUN
#                        the test script's exit handling: on every exit slurm_stop and rm -rf "$work"; on failure first the
#                        daemons' logs and those of the run folder "$work/RUN"; fail/step messages are prefixed with LABEL
# No systemd and no cgroups: proctrack/linuxproc and task/none (see ../shared/reference/platform-facts.md).

SLURM_STARTED_PIDS=()
SLURM_TEST_LABEL="slurm test"
SLURM_TEST_RUN=""

slurm_test_traps() {
  SLURM_TEST_LABEL=$1
  SLURM_TEST_RUN=$2
  trap _slurm_test_cleanup EXIT
  trap 'exit 130' INT TERM
}

_slurm_test_cleanup() {
  local status=$?
  slurm_stop
  if [[ $status -ne 0 ]]; then
    echo "$SLURM_TEST_LABEL: FAILED (exit $status); logs follow" >&2
    tail -n 30 "$work"/slurm/log/*.log "$work/$SLURM_TEST_RUN"/slurm/logs/* 2>/dev/null >&2 || true
  fi
  rm -rf "$work"
}

fail() { echo "$SLURM_TEST_LABEL: $*" >&2; exit 1; }
step() { echo "== $SLURM_TEST_LABEL: $*"; }

slurm_test_runner() {
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  step "building the runner"
  dotnet build src/Runner/ResidualSheaf.Runner.csproj -c Release --nologo -v quiet >/dev/null
  runner=("$(command -v dotnet)" "$PWD/src/Runner/bin/Release/net10.0/runner.dll")
}

submitted_ids() { sed -n "s/^submitted: array=\([0-9a-z]*\) merge=\([0-9]*\)$/\\$1/p"; }

slurm_install_or_skip() {
  step "installing Slurm (if needed)"
  local code=0
  slurm_install || code=$?
  if [[ $code -eq 3 ]]; then
    echo "$SLURM_TEST_LABEL: SKIPPED: Slurm is not installed and this machine cannot install it (needs root and apt-get)"
    exit 0
  fi
  [[ $code -eq 0 ]] || fail "installing slurm-wlm and munge failed"
}

slurm_install() {
  if command -v sbatch >/dev/null && command -v slurmctld >/dev/null && command -v munged >/dev/null; then return 0; fi
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "local-slurm: Slurm is not installed and this machine cannot install packages (needs root and apt-get)" >&2
    return 3
  fi
  echo "local-slurm: installing slurm-wlm and munge with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  local attempt
  for attempt in 1 2 3; do
    if apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null; then return 0; fi
    echo "local-slurm: apt-get failed (attempt $attempt)" >&2
    sleep 5
  done
  return 1
}

# Waits up to $2 seconds for a pid file $1 to name a live process; prints the pid.
_slurm_wait_pid() {
  local file=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do
    if [[ -s $file ]] && kill -0 "$(cat "$file")" 2>/dev/null; then cat "$file"; return 0; fi
    sleep 0.1
  done
  return 1
}

slurm_start() {
  local dir=$1 host cpus
  mkdir -p "$dir"/{state,spool,log}
  host=$(hostname -s)
  cpus=$(nproc)

  if ! (munge -n </dev/null | unmunge >/dev/null) 2>/dev/null; then
    [[ -s /etc/munge/munge.key ]] || mungekey -c -k /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    rm -f /run/munge/munged.pid
    runuser -u munge -- /usr/sbin/munged --force
    SLURM_STARTED_PIDS+=("$(_slurm_wait_pid /run/munge/munged.pid 10)") || { echo "local-slurm: munged did not start" >&2; return 1; }
  fi

  cat >"$dir/slurm.conf" <<CONF
ClusterName=rstest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$dir/slurm.conf

  slurmctld -f "$SLURM_CONF" -i
  SLURM_STARTED_PIDS+=("$(_slurm_wait_pid "$dir/slurmctld.pid" 20)") || { echo "local-slurm: slurmctld did not start:" >&2; tail -n 20 "$dir/log/slurmctld.log" >&2; return 1; }
  slurmd -f "$SLURM_CONF"
  SLURM_STARTED_PIDS+=("$(_slurm_wait_pid "$dir/slurmd.pid" 20)") || { echo "local-slurm: slurmd did not start:" >&2; tail -n 20 "$dir/log/slurmd.log" >&2; return 1; }

  local i
  for ((i = 0; i < 60; i++)); do
    if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then return 0; fi
    sleep 1
  done
  echo "local-slurm: the node did not become idle:" >&2
  sinfo >&2 || true
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2
  return 1
}

slurm_stop() {
  local pid i
  # Reverse order: slurmd, slurmctld, then munged.
  for ((i = ${#SLURM_STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${SLURM_STARTED_PIDS[i]}
    [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${SLURM_STARTED_PIDS[@]}"; do
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  SLURM_STARTED_PIDS=()
}

wait_gone() {
  local ids=$1 limit=$2 i
  for ((i = 0; i < limit; i++)); do
    [[ -z $(squeue -h -j "$ids" -o %i 2>/dev/null) ]] && return 0
    sleep 1
  done
  squeue >&2
  fail "jobs $ids still queued after $limit s"
}

job_state() { scontrol show job "$1" | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2; }
