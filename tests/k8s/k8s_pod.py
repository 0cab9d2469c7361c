"""Run one pod of a plan's Indexed Job with podman, as the kubelet would run it.

Everything comes from the generated manifests: the image, command, args (with Kubernetes'
``$(VAR)`` expansion of the container's env, the completion index among it), the security
context, the resource limits and the volumes. The ConfigMap becomes a read-only folder, the
claim a host folder (``subPath`` included), a memory emptyDir a tmpfs, and the deny-all
NetworkPolicy ``--network none``. Only ``hostUsers: false`` is not reproduced: podman runs the
container in the host's user namespace here, which is the stricter test of the capabilities.
A manifest field this translation does not know makes it fail rather than guess.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import yaml

from grading.k8s.plan import INDEX_ANNOTATION
from grading.sandbox import ContainerEngine, Limits
from grading.sandbox.limits import GRADER_PIDS

HANDLED_POD_FIELDS = {
    "restartPolicy", "automountServiceAccountToken", "enableServiceLinks", "hostUsers",
    "securityContext", "activeDeadlineSeconds", "containers", "volumes", "shareProcessNamespace",
}  # fmt: skip
HANDLED_CONTAINER_FIELDS = {
    "name", "image", "imagePullPolicy", "command", "args", "env", "resources",
    "securityContext", "volumeMounts",
}  # fmt: skip
UNITS = {"Ki": "k", "Mi": "m", "Gi": "g"}


def load(path: Path) -> dict:
    (document,) = yaml.safe_load_all(path.read_text())
    return document


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' rule: $(VAR) is replaced when VAR is defined, $$ is a literal $."""

    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env.get(name, match.group(0))

    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", one, text)


def container_env(container: dict, index: int) -> dict[str, str]:
    env = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = expand(str(item["value"]), env)
            continue
        path = item["valueFrom"]["fieldRef"]["fieldPath"]
        if path != f"metadata.annotations['{INDEX_ANNOTATION}']":
            raise AssertionError(f"the simulation does not know the field {path}")
        env[item["name"]] = str(index)
    return env


def size(quantity: str) -> str:
    number, unit = re.fullmatch(r"(\d+)(Ki|Mi|Gi)", quantity).groups()
    return f"{number}{UNITS[unit]}"


def cpus(quantity: str) -> str:
    return str(int(quantity[:-1]) / 1000) if quantity.endswith("m") else quantity


def podman_command(plan_dir: Path, data_dir: Path, config_dir: Path, index: int) -> list[str]:
    """The ``podman run`` arguments (after the global flags) for pod ``index`` of the plan."""
    job = load(plan_dir / "job.yaml")
    configmap = load(plan_dir / "configmap.yaml")
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    unknown = (set(pod) - HANDLED_POD_FIELDS) | (set(container) - HANDLED_CONTAINER_FIELDS)
    assert not unknown, f"the simulation does not translate {unknown}"
    env = container_env(container, index)
    security = container["securityContext"]
    limits = container["resources"]["limits"]
    # Not in a pod spec: the node's limits (kubelet podPidsLimit), here the local worker's.
    defaults = Limits()
    pids = defaults.pids + GRADER_PIDS
    args = [
        "run", "--rm", "--network", "none",
        "--memory", size(limits["memory"]), "--memory-swap", size(limits["memory"]),
        "--cpus", cpus(limits["cpu"]),
        "--pids-limit", str(pids),
        "--ulimit", f"nofile={defaults.open_files}:{defaults.open_files}",
        "--ulimit", f"nproc={pids}:{pids}",
        "--cap-drop", ",".join(security["capabilities"]["drop"]),
        "--user", f"{security['runAsUser']}:{security['runAsGroup']}",
    ]  # fmt: skip
    if pod.get("shareProcessNamespace"):
        args.append("--init")  # the pause container is PID 1 and reaps orphans
    if security["capabilities"].get("add"):
        args += ["--cap-add", ",".join(security["capabilities"]["add"])]
    if security["readOnlyRootFilesystem"]:
        args.append("--read-only")
    if security["allowPrivilegeEscalation"] is False:
        args += ["--security-opt", "no-new-privileges"]
    for name, value in env.items():
        args += ["--env", f"{name}={value}"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    for mount in container["volumeMounts"]:
        volume = volumes[mount["name"]]
        target = mount["mountPath"]
        mode = "ro" if mount.get("readOnly") else "rw"
        if "configMap" in volume:
            assert volume["configMap"]["name"] == configmap["metadata"]["name"]
            write_configmap(configmap, config_dir, volume["configMap"].get("defaultMode", 0o644))
            args += ["--volume", f"{config_dir}:{target}:ro"]
        elif "persistentVolumeClaim" in volume:
            source = data_dir / mount.get("subPath", "")
            source.mkdir(parents=True, exist_ok=True)  # the kubelet creates a missing subPath
            args += ["--volume", f"{source}:{target}:{mode}"]
        elif volume.get("emptyDir", {}).get("medium") == "Memory":
            limit = size(volume["emptyDir"]["sizeLimit"])
            # The kubelet makes an emptyDir mode 0777 (no sticky bit) and mounts it exec.
            args += ["--tmpfs", f"{target}:rw,exec,size={limit},mode=0777"]
        else:
            raise AssertionError(f"the simulation does not translate the volume {volume}")
    command = [expand(part, env) for part in container["command"]]  # replaces the ENTRYPOINT
    args += ["--entrypoint", json.dumps(command), container["image"]]
    return args + [expand(arg, env) for arg in container.get("args", [])]


def write_configmap(configmap: dict, folder: Path, mode: int = 0o644) -> None:
    """The ConfigMap's keys as files with the volume's ``defaultMode``, as the kubelet does."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, text in configmap.get("data", {}).items():
        (folder / key).write_text(text)
        (folder / key).chmod(mode)
    for key, encoded in configmap.get("binaryData", {}).items():
        (folder / key).write_bytes(base64.b64decode(encoded))
        (folder / key).chmod(mode)


def run_pod(
    engine: ContainerEngine, plan_dir: Path, data_dir: Path, index: int
) -> subprocess.CompletedProcess:
    """Run pod ``index`` to its end, within the pod's activeDeadlineSeconds."""
    job = load(plan_dir / "job.yaml")
    deadline = job["spec"]["template"]["spec"]["activeDeadlineSeconds"]
    config_dir = data_dir.parent / f"config-{index}"
    args = podman_command(plan_dir, data_dir, config_dir, index)
    return engine.cli(args, check=False, timeout=deadline, stdin=subprocess.DEVNULL)
