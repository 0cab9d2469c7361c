"""``k8s plan``: shard the submissions and write the manifests of one Indexed Job.

Pod ``i`` runs the grading image's batch worker on the notebooks listed in ``shard-i.txt``, with
the isolation of a local podman run, and writes ``results/shard-i/<sha256>/grading.json``. The
plan folder holds everything needed to apply it and, later, to collect it::

    PLAN/
      kustomization.yaml   kubectl apply -k PLAN/ creates everything below, the Job suspended
      job.yaml             the Indexed Job (completionMode: Indexed, one completion per shard)
      configmap.yaml       the autograder zip (binaryData) and the shard lists shard-<i>.txt
      networkpolicy.yaml   no ingress, no egress for the plan's pods
      pvc.yaml             the data volume (unless --pvc names an existing claim)
      data-pod.yaml        an idle pod that mounts the volume, for kubectl cp in and out
      data/                copied to the volume's root before the Job is resumed:
        plan.json            who submitted what, each submission's shard, the zip's sha256
        autograder.zip       for collect (pods read the ConfigMap's copy)
        submissions/<sha256>.ipynb
        results/             filled by the pods: shard-<i>/<sha256>/grading.json, _done.json

Pods mount only ``submissions`` (read-only) and ``results`` of the volume, so nothing graded can
touch ``plan.json`` or the zip that ``collect`` trusts.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..autograder import read_autograder
from ..errors import UsageError
from ..ingest import apply_roster, find_submissions, load_roster
from ..model import Submission
from ..sandbox import Limits
from ..sandbox.warm import GRADER_MEMORY_MB, STUDENT_UID, worker_args

PLAN_VERSION = 1
DATA_DIR = "data"
PLAN_FILE = "plan.json"
AUTOGRADER_FILE = "autograder.zip"
SUBMISSIONS_DIR = "submissions"
RESULTS_DIR = "results"
DONE_FILE = "_done.json"

# The batch entry point of the grading image (the image sets its working dir and PYTHONPATH).
WORKER_COMMAND = ["/opt/grader/bin/python", "-m", "worker", "batch"]
INDEX_VAR = "JOB_COMPLETION_INDEX"
INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
CONFIG_MOUNT = "/config"
SUBMISSIONS_MOUNT = "/submissions"
RESULTS_MOUNT = "/results"
GRADER_CAPABILITIES = ["SETUID", "SETGID", "KILL"]  # drop student code to uid 10001+, end it

POD_START_SECONDS = 300  # image pull and the worker's warm imports, on top of the grading time
TTL_SECONDS = 7 * 24 * 3600  # the finished Job is deleted after a week; the volume stays
CONFIGMAP_MAX_BYTES = 1024 * 1024 - 64 * 1024  # etcd's 1 MiB per object, less room for metadata
APP = "notebook-grading"
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
MAX_NAME = 50  # pods are named <job>-<index>-<suffix>; a hostname is at most 63 characters


def shard_name(index: int) -> str:
    return f"shard-{index}"


def list_name(index: int) -> str:
    return f"{shard_name(index)}.txt"


@dataclass(frozen=True)
class ClusterOptions:
    """Where and how the Job runs; the grading limits come from ``Limits``."""

    image: str
    shards: int
    parallelism: int | None = None  # default: every shard at once
    name: str | None = None  # default: grade-<assignment>-<zip sha256 prefix>
    namespace: str | None = None
    pvc: str | None = None  # an existing claim; default: pvc.yaml makes <name>-data
    storage: str = "1Gi"
    storage_class: str | None = None
    retries: int = 1  # per shard (backoffLimitPerIndex)
    deadline: int | None = None  # the Job's activeDeadlineSeconds; default from the limits

    def __post_init__(self) -> None:
        if self.shards < 1:
            raise UsageError(f"--shards must be at least 1, got {self.shards}")
        if self.parallelism is not None and self.parallelism < 1:
            raise UsageError(f"--parallelism must be at least 1, got {self.parallelism}")
        if self.retries < 0:
            raise UsageError(f"--retries must not be negative, got {self.retries}")
        for label, value in (("--name", self.name), ("--pvc", self.pvc), ("--namespace",
                             self.namespace)):  # fmt: skip
            if value is not None and not (NAME_RE.match(value) and len(value) <= MAX_NAME):
                raise UsageError(
                    f"{label} {value!r} is not a Kubernetes name (lower-case letters, digits"
                    f" and '-', at most {MAX_NAME} characters)"
                )


@dataclass
class PlanSummary:
    """What ``write_plan`` laid out, for the command line and tests."""

    out_dir: Path
    job: str
    namespace: str | None
    data_pod: str
    shard_sizes: list[int] = field(default_factory=list)
    submissions: int = 0  # records, several of which may share one notebook's bytes
    rejected: int = 0


def write_plan(
    paths: list[Path],
    autograder_zip: Path,
    out_dir: Path,
    options: ClusterOptions,
    *,
    limits: Limits | None = None,
    roster: Path | None = None,
) -> PlanSummary:
    """Find the submissions as ``grade`` does and write the plan folder (all of it or nothing)."""
    limits = limits or Limits()
    info = read_autograder(autograder_zip)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise UsageError(f"{out_dir} exists and is not empty; choose a new plan folder")
    name = options.name or default_name(info.assignment or autograder_zip.stem, info.sha256)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        found = find_submissions(paths, staging / "work")
        submissions = found.submissions
        if roster is not None:
            submissions = apply_roster(submissions, load_roster(roster))
        shards = assign_shards(submissions, options.shards)
        shard_of = {sha: i for i, shas in enumerate(shards) for sha in shas}
        data = staging / DATA_DIR
        for sub in (SUBMISSIONS_DIR, RESULTS_DIR):
            (data / sub).mkdir(parents=True, mode=0o700)  # no student user may look inside
        for submission in submissions:
            target = data / SUBMISSIONS_DIR / f"{submission.sha256}.ipynb"
            if not target.exists():
                shutil.copyfile(submission.path, target)
                target.chmod(0o600)
        shutil.copyfile(autograder_zip, data / AUTOGRADER_FILE)
        lists = {
            list_name(i): "".join(f"{sha}.ipynb\n" for sha in shas) for i, shas in enumerate(shards)
        }
        record = {
            "version": PLAN_VERSION,
            "job": name,
            "namespace": options.namespace,
            "image": options.image,
            "shards": options.shards,
            "autograder": {"sha256": info.sha256, "source": str(autograder_zip)},
            "limits": {"timeout": limits.timeout, "cell_timeout": limits.cell_timeout},
            "submissions": [_submission_record(s, shard_of[s.sha256]) for s in submissions],
            "rejected": [
                {"origin": r.origin, "reason": r.reason, "student": r.student}
                for r in found.rejected
            ],
        }
        (data / PLAN_FILE).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        shutil.rmtree(staging / "work")
        manifests = build_manifests(
            name, options, limits, autograder_zip.read_bytes(), lists, max(map(len, shards))
        )
        for file_name, (comment, documents) in manifests.items():
            _write_yaml(staging / file_name, comment, documents)
        if out_dir.exists():
            out_dir.rmdir()  # empty, checked above
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PlanSummary(
        out_dir=out_dir,
        job=name,
        namespace=options.namespace,
        data_pod=f"{name}-data",
        shard_sizes=[len(s) for s in shards],
        submissions=len(submissions),
        rejected=len(found.rejected),
    )


def default_name(assignment: str, sha256: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", assignment.lower()).strip("-")[:30].strip("-")
    return f"grade-{slug or 'assignment'}-{sha256[:8]}"


def assign_shards(submissions: list[Submission], shards: int) -> list[list[str]]:
    """Distinct notebooks (by sha256) dealt round-robin, so shards differ by one at most."""
    distinct = list(dict.fromkeys(s.sha256 for s in submissions))
    if not distinct:
        raise UsageError("no gradable submission found: nothing to plan")
    if shards > len(distinct):
        raise UsageError(
            f"--shards {shards} is more than the {len(distinct)} distinct notebooks to grade"
        )
    return [distinct[i::shards] for i in range(shards)]


def _submission_record(s: Submission, shard: int) -> dict:
    return {
        "origin": s.origin,
        "student": s.student,
        "sha256": s.sha256,
        "shard": shard,
        "source_format": s.source_format,
        "name": s.name,
        "email": s.email,
        "lms_id": s.lms_id,
        "sis_id": s.sis_id,
        "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
        "late": s.late,
        "attempt": s.attempt,
    }


# -- manifests ---------------------------------------------------------------------------------

JOB_COMMENT = """\
One Indexed Job: pod <i> (JOB_COMPLETION_INDEX) grades the notebooks listed in
/config/shard-<i>.txt and writes /results/shard-<i>/<sha256>/grading.json, then _done.json.

Isolation, as in a local podman run (python -m grading grade --engine podman):
- hostUsers: false: the grader runs as uid 0 only inside a user namespace, an unprivileged uid
  on the node. It keeps SETUID and SETGID to run each notebook's code as uid 10001+ (non-root,
  as locally) and KILL to end that code's leftover processes; every other capability is
  dropped, allowPrivilegeEscalation: false (no_new_privs), seccomp RuntimeDefault.
- read-only root filesystem; /tmp and /grading are memory-backed emptyDirs;
  shareProcessNamespace: the pause container is PID 1 and reaps orphans (podman's --init).
- no service account token, no service environment variables, and the NetworkPolicy
  <job>-deny-all: no ingress, no egress.
- CPU and memory requests = limits (memory: the notebook's --memory plus the grader's own
  share, as the local worker container), activeDeadlineSeconds per pod and for the Job,
  backoffLimitPerIndex: a failed shard is retried on its own.
Created suspended: copy data/ into the volume first, then resume the Job (see README).
"""


def build_manifests(
    name: str,
    options: ClusterOptions,
    limits: Limits,
    autograder: bytes,
    lists: dict[str, str],
    largest_shard: int,
) -> dict[str, tuple[str, list[dict]]]:
    """Every manifest file of the plan: file name -> (header comment, documents)."""
    namespace = {"namespace": options.namespace} if options.namespace else {}
    claim = options.pvc or f"{name}-data"
    config = _configmap(name, namespace, autograder, lists)
    pod_deadline = int(largest_shard * limits.timeout) + POD_START_SECONDS
    parallelism = min(options.parallelism or options.shards, options.shards)
    waves = math.ceil(options.shards / parallelism)
    timing = {
        "parallelism": parallelism,
        "activeDeadlineSeconds": options.deadline or waves * pod_deadline * (options.retries + 1),
    }
    files: dict[str, tuple[str, list[dict]]] = {
        "job.yaml": (
            JOB_COMMENT,
            [_job(name, namespace, options, limits, claim, pod_deadline, timing)],
        ),  # fmt: skip
        "configmap.yaml": (
            "The autograder zip and the shard lists, read-only in every pod.\n",
            [config],
        ),  # fmt: skip
        "networkpolicy.yaml": (
            "Deny all: the plan's pods get no ingress and no egress (needs a CNI that enforces\n"
            "NetworkPolicy, e.g. Calico or Cilium).\n",
            [_network_policy(name, namespace)],
        ),
        "data-pod.yaml": (
            "An idle pod with the data volume at /data, for kubectl cp in and out; delete it\n"
            "after collecting.\n",
            [_data_pod(name, namespace, options.image, claim)],
        ),
    }
    if options.pvc is None:
        files["pvc.yaml"] = (
            "The data volume: submissions in, results out. ReadWriteMany lets pods on several\n"
            "nodes share it.\n",
            [_pvc(claim, name, namespace, options.storage, options.storage_class)],
        )
    resources = sorted(files)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        **namespace,
        "resources": resources,
    }
    files["kustomization.yaml"] = ("kubectl apply -k .  creates the plan (the Job suspended).\n",
                                   [kustomization])  # fmt: skip
    return files


def _labels(name: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": APP,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": component,
    }


def _metadata(name: str, namespace: dict, labels: dict) -> dict:
    return {"name": name, **namespace, "labels": labels}


def _quantity_cpu(cpus: float) -> str:
    millis = round(cpus * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def _security_context(capabilities: list[str]) -> dict:
    """uid 0 inside the pod's user namespace (hostUsers: false), next to no privileges."""
    return {
        "runAsUser": 0,
        "runAsGroup": 0,
        "runAsNonRoot": False,
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"], **({"add": capabilities} if capabilities else {})},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _pod_basics() -> dict:
    return {
        "restartPolicy": "Never",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "hostUsers": False,
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
    }


def _job(
    name: str,
    namespace: dict,
    options: ClusterOptions,
    limits: Limits,
    claim: str,
    pod_deadline: int,
    timing: dict[str, int],
) -> dict:
    index = f"$({INDEX_VAR})"
    args = [
        "--autograder-zip", f"{CONFIG_MOUNT}/{AUTOGRADER_FILE}",
        "--list", f"{CONFIG_MOUNT}/shard-{index}.txt",
        "--submissions", SUBMISSIONS_MOUNT,
        "--results", f"{RESULTS_MOUNT}/shard-{index}",
        *worker_args(limits, STUDENT_UID), "--private", "/grading",
    ]  # fmt: skip
    # As the local warm worker container: the student's share plus the grader's own.
    memory = f"{limits.memory_mb + GRADER_MEMORY_MB}Mi"
    compute = {"cpu": _quantity_cpu(limits.cpus), "memory": memory}
    container = {
        "name": "grader",
        "image": options.image,
        "imagePullPolicy": "IfNotPresent",
        "command": list(WORKER_COMMAND),
        "args": args,
        "env": [
            {
                "name": INDEX_VAR,
                "valueFrom": {
                    "fieldRef": {"fieldPath": f"metadata.annotations['{INDEX_ANNOTATION}']"}
                },
            }
        ],
        "resources": {"requests": dict(compute), "limits": dict(compute)},
        "securityContext": _security_context(GRADER_CAPABILITIES),
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_MOUNT, "readOnly": True},
            {
                "name": "data",
                "mountPath": SUBMISSIONS_MOUNT,
                "subPath": SUBMISSIONS_DIR,
                "readOnly": True,
            },
            {"name": "data", "mountPath": RESULTS_MOUNT, "subPath": RESULTS_DIR},
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "grading", "mountPath": "/grading"},
        ],  # fmt: skip
    }
    labels = _labels(name, "grader")
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _metadata(name, namespace, labels),
        "spec": {
            "completionMode": "Indexed",
            "completions": options.shards,
            "parallelism": timing["parallelism"],
            "backoffLimitPerIndex": options.retries,
            "activeDeadlineSeconds": timing["activeDeadlineSeconds"],
            "ttlSecondsAfterFinished": TTL_SECONDS,
            "suspend": True,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    **_pod_basics(),
                    # The pause container becomes PID 1 and reaps orphans (podman's --init).
                    "shareProcessNamespace": True,
                    "activeDeadlineSeconds": pod_deadline,
                    "containers": [container],
                    "volumes": [
                        {
                            "name": "config",
                            # 0400, root's: the student user (10001) cannot read the tests
                            "configMap": {"name": f"{name}-config", "defaultMode": 0o400},
                        },
                        {"name": "data", "persistentVolumeClaim": {"claimName": claim}},
                        {
                            "name": "tmp",
                            "emptyDir": {"medium": "Memory", "sizeLimit": f"{limits.scratch_mb}Mi"},
                        },
                        {"name": "grading", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
                    ],  # fmt: skip
                },
            },
        },
    }


def _configmap(name: str, namespace: dict, autograder: bytes, lists: dict[str, str]) -> dict:
    encoded = base64.b64encode(autograder).decode("ascii")
    size = len(encoded) + sum(len(k) + len(v.encode()) for k, v in lists.items())
    if size > CONFIGMAP_MAX_BYTES:
        raise UsageError(
            f"the autograder zip and shard lists take {size} bytes in a ConfigMap, more than"
            f" {CONFIGMAP_MAX_BYTES}: shrink the zip (no data files) or use fewer shards"
        )
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(f"{name}-config", namespace, _labels(name, "config")),
        "immutable": True,
        "data": dict(sorted(lists.items())),
        "binaryData": {AUTOGRADER_FILE: encoded},
    }


def _network_policy(name: str, namespace: dict) -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(f"{name}-deny-all", namespace, _labels(name, "network")),
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/instance": name}},
            "policyTypes": ["Egress", "Ingress"],
            "egress": [],
            "ingress": [],
        },
    }


def _pvc(claim: str, name: str, namespace: dict, storage: str, storage_class: str | None) -> dict:
    spec: dict = {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": storage}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _metadata(claim, namespace, _labels(name, "data")),
        "spec": spec,
    }


def _data_pod(name: str, namespace: dict, image: str, claim: str) -> dict:
    small = {"cpu": "50m", "memory": "64Mi"}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _metadata(f"{name}-data", namespace, _labels(name, "data")),
        "spec": {
            **_pod_basics(),
            "containers": [
                {
                    "name": "data",
                    "image": image,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["sleep", "infinity"],
                    "resources": {"requests": dict(small), "limits": dict(small)},
                    "securityContext": _security_context([]),
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                }
            ],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}],
        },
    }


class _Dumper(yaml.SafeDumper):
    """Plain YAML for people and kubectl: no anchors, multi-line text as literal blocks."""

    def ignore_aliases(self, data) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _write_yaml(path: Path, comment: str, documents: list[dict]) -> None:
    header = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines())
    body = yaml.dump_all(
        documents, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100
    )
    path.write_text(header + body, encoding="utf-8")
