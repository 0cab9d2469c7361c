"""`k8s plan`: manifests valid for the Kubernetes API, with the local run's isolation."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

from grading.cli import main
from grading.k8s import plan as plan_module
from grading.k8s import write_plan
from grading.k8s.plan import INDEX_ANNOTATION, ClusterOptions
from grading.sandbox import Limits

from .k8s_helpers import IMAGE, SHARDS, plan_record, shard_members

# User namespaces for pods (hostUsers: false) are on by default from 1.33; the newest schema
# the validator bundles catches fields that were dropped since.
KUBERNETES_VERSIONS = ("1.33", latest_version())
GRADER_CAPABILITIES = {"SETUID", "SETGID", "KILL"}


def documents(plan_dir: Path) -> dict[str, dict]:
    """Every Kubernetes object of the plan by file name (the Kustomization is kubectl's)."""
    found = {}
    for path in sorted(plan_dir.glob("*.yaml")):
        (document,) = yaml.safe_load_all(path.read_text())
        found[path.name] = document
    return found


def pod_spec(plan_dir: Path) -> dict:
    return documents(plan_dir)["job.yaml"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_validates_strictly_against_the_api_schema(plan_dir, version):
    objects = {k: v for k, v in documents(plan_dir).items() if k != "kustomization.yaml"}
    assert set(objects) == {
        "job.yaml", "configmap.yaml", "networkpolicy.yaml", "pvc.yaml", "data-pod.yaml"
    }  # fmt: skip
    for name, document in objects.items():
        # strict: a field the API does not know (a typo) fails, not only a wrong type
        assert kubernetes_validate.validate(document, version, strict=True), name


@pytest.mark.parametrize(
    "mutate",
    [
        lambda job: job["spec"]["template"]["spec"]["containers"][0]["securityContext"].update(
            readOnlyRootFileSystem=True  # misspelt: the real field is readOnlyRootFilesystem
        ),
        lambda job: job["spec"].update(completions="three"),
        lambda job: job["spec"]["template"]["spec"].update(hostUsers="no"),
    ],
    ids=["unknown-field", "wrong-type", "wrong-boolean"],
)
def test_the_schema_check_rejects_a_broken_job(plan_dir, mutate):
    job = copy.deepcopy(documents(plan_dir)["job.yaml"])
    mutate(job)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES_VERSIONS[0], strict=True)


def test_job_is_indexed_one_completion_per_shard(plan_dir):
    job = documents(plan_dir)["job.yaml"]
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == SHARDS and spec["parallelism"] == SHARDS
    assert spec["suspend"] is True  # resumed once the data is in the volume
    assert spec["backoffLimitPerIndex"] >= 1 and spec["ttlSecondsAfterFinished"] > 0
    (container,) = spec["template"]["spec"]["containers"]
    assert container["image"] == IMAGE
    assert container["command"][:4] == ["/opt/grader/bin/python", "-m", "worker", "batch"]
    args = container["args"]
    option = {args[i]: args[i + 1] for i in range(0, len(args), 2)}
    assert option["--list"] == "/config/shard-$(JOB_COMPLETION_INDEX).txt"
    assert option["--results"] == "/results/shard-$(JOB_COMPLETION_INDEX)"
    assert option["--autograder-zip"] == "/config/autograder.zip"
    assert option["--submissions"] == "/submissions"
    (index,) = container["env"]
    assert index["name"] == "JOB_COMPLETION_INDEX"
    assert index["valueFrom"]["fieldRef"]["fieldPath"] == (
        f"metadata.annotations['{INDEX_ANNOTATION}']"
    )
    # Deadlines leave each pod its largest shard's time limits and the Job every pod's.
    largest = max(len(m) for m in shard_members(plan_dir / "data").values())
    pod_deadline = spec["template"]["spec"]["activeDeadlineSeconds"]
    assert pod_deadline >= largest * float(option["--timeout"])
    assert spec["activeDeadlineSeconds"] >= pod_deadline


def test_pod_has_the_local_runs_isolation(plan_dir):
    pod = pod_spec(plan_dir)
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    assert pod["hostUsers"] is False  # uid 0 of the grader is no uid 0 on the node
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["privileged"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    assert set(security["capabilities"]["add"]) == GRADER_CAPABILITIES
    option = dict(zip(container["args"][::2], container["args"][1::2], strict=True))
    assert option["--uid"] == "10001"  # student code itself never runs as root
    resources = container["resources"]
    assert resources["requests"] == resources["limits"]
    assert int(resources["limits"]["memory"].removesuffix("Mi")) > Limits().memory_mb
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert not any("hostPath" in v for v in volumes.values())
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    for scratch in ("/tmp", "/grading"):
        empty_dir = volumes[mounts[scratch]["name"]]["emptyDir"]
        assert empty_dir["medium"] == "Memory" and empty_dir["sizeLimit"]
    assert mounts["/submissions"]["readOnly"] is True and mounts["/config"]["readOnly"] is True
    assert not mounts["/results"].get("readOnly")
    # the hidden tests: root's alone, never readable by the student user
    assert volumes[mounts["/config"]["name"]]["configMap"]["defaultMode"] == 0o400


def test_network_policy_denies_all_traffic_of_every_plan_pod(plan_dir):
    found = documents(plan_dir)
    policy = found["networkpolicy.yaml"]["spec"]
    assert sorted(policy["policyTypes"]) == ["Egress", "Ingress"]
    assert not policy.get("egress") and not policy.get("ingress")  # no rule: nothing allowed
    selector = policy["podSelector"]["matchLabels"].items()
    grader = found["job.yaml"]["spec"]["template"]["metadata"]["labels"].items()
    data = found["data-pod.yaml"]["metadata"]["labels"].items()
    assert selector and selector <= grader and selector <= data


def test_configmap_holds_the_zip_and_lists_that_split_the_plan(plan_dir, assignment):
    found = documents(plan_dir)
    configmap = found["configmap.yaml"]
    assert configmap["immutable"] is True
    zip_bytes = base64.b64decode(configmap["binaryData"]["autograder.zip"])
    assert zip_bytes == assignment.autograder_zip.read_bytes()
    listed = {
        int(key.removeprefix("shard-").removesuffix(".txt")): [
            line.removesuffix(".ipynb") for line in text.splitlines()
        ]
        for key, text in configmap["data"].items()
    }
    assert listed == shard_members(plan_dir / "data")
    everything = [sha for members in listed.values() for sha in members]
    assert (
        len(everything) == len(set(everything)) == len(list(assignment.samples_dir.glob("*.ipynb")))
    )
    sizes = [len(m) for m in listed.values()]
    assert max(sizes) - min(sizes) <= 1
    volumes = {v["name"]: v for v in pod_spec(plan_dir)["volumes"]}
    assert volumes["config"]["configMap"]["name"] == configmap["metadata"]["name"]
    assert (
        volumes["data"]["persistentVolumeClaim"]["claimName"]
        == (found["pvc.yaml"]["metadata"]["name"])
    )


def test_kustomization_applies_every_manifest(plan_dir):
    kustomization = yaml.safe_load((plan_dir / "kustomization.yaml").read_text())
    manifests = {p.name for p in plan_dir.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests


def test_plan_data_holds_each_notebook_once_by_hash(plan_dir, assignment):
    data = plan_dir / "data"
    record = plan_record(data)
    samples = sorted(assignment.samples_dir.glob("*.ipynb"))
    assert sorted(i["origin"] for i in record["submissions"]) == [str(p) for p in samples]
    for item in record["submissions"]:
        stored = data / "submissions" / f"{item['sha256']}.ipynb"
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == item["sha256"]
        assert stored.stat().st_mode & 0o077 == 0  # no other student's code may read it
        assert item["student"] == Path(item["origin"]).stem
    assert (data / "autograder.zip").read_bytes() == assignment.autograder_zip.read_bytes()
    assert (
        record["autograder"]["sha256"]
        == hashlib.sha256(assignment.autograder_zip.read_bytes()).hexdigest()
    )
    assert (data / "results").is_dir() and not any((data / "results").iterdir())
    assert (data / "submissions").stat().st_mode & 0o077 == 0


def test_existing_claim_parallelism_and_namespace(assignment, tmp_path):
    options = ClusterOptions(
        image=IMAGE, shards=3, parallelism=2, pvc="course-data", namespace="grading", retries=2
    )
    write_plan([assignment.samples_dir], assignment.autograder_zip, tmp_path / "p", options)
    found = documents(tmp_path / "p")
    assert "pvc.yaml" not in found and "pvc.yaml" not in found["kustomization.yaml"]["resources"]
    job = found["job.yaml"]
    assert job["spec"]["parallelism"] == 2 and job["spec"]["backoffLimitPerIndex"] == 2
    claims = {v["persistentVolumeClaim"]["claimName"] for v in job["spec"]["template"]["spec"][
        "volumes"] if "persistentVolumeClaim" in v}  # fmt: skip
    assert claims == {"course-data"}
    assert {d["metadata"]["namespace"] for k, d in found.items() if k != "kustomization.yaml"} == {
        "grading"
    }
    assert found["kustomization.yaml"]["namespace"] == "grading"
    for name, document in found.items():
        if name != "kustomization.yaml":
            kubernetes_validate.validate(document, KUBERNETES_VERSIONS[0], strict=True)


def test_plan_keeps_rejected_inputs_and_roster_identities(assignment, tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "strong.ipynb").write_bytes((assignment.samples_dir / "strong.ipynb").read_bytes())
    (inputs / "broken.ipynb").write_text("{ not json")
    roster = tmp_path / "roster.csv"
    roster.write_text("sis_id,name,email\nstrong,Sam Strong,sam@example.org\n")
    write_plan([inputs], assignment.autograder_zip, tmp_path / "p",
               ClusterOptions(image=IMAGE, shards=1), roster=roster)  # fmt: skip
    record = plan_record(tmp_path / "p" / "data")
    (submission,) = record["submissions"]
    assert (submission["name"], submission["email"]) == ("Sam Strong", "sam@example.org")
    (rejected,) = record["rejected"]
    assert rejected["origin"].endswith("broken.ipynb") and rejected["reason"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(shards=8), "more than the 7 distinct notebooks"),
        (dict(shards=0), "--shards must be at least 1"),
        (dict(shards=2, name="Grade_All"), "not a Kubernetes name"),
        (dict(shards=2, parallelism=0), "--parallelism must be at least 1"),
    ],
)
def test_plan_refuses_what_cannot_run(assignment, tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        write_plan([assignment.samples_dir], assignment.autograder_zip, tmp_path / "p",
                   ClusterOptions(image=IMAGE, **options))  # fmt: skip
    assert not (tmp_path / "p").exists()  # all of the plan or nothing


def test_plan_refuses_a_used_folder_and_an_oversized_configmap(assignment, tmp_path, monkeypatch):
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    options = ClusterOptions(image=IMAGE, shards=2)
    with pytest.raises(ValueError, match="not empty"):
        write_plan([assignment.samples_dir], assignment.autograder_zip, used, options)
    assert [p.name for p in used.iterdir()] == ["keep.txt"]
    monkeypatch.setattr(plan_module, "CONFIGMAP_MAX_BYTES", 1000)
    with pytest.raises(ValueError, match="ConfigMap"):
        write_plan([assignment.samples_dir], assignment.autograder_zip, tmp_path / "p", options)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["used"]  # no staging folder left


def test_cli_plan_prints_the_job_and_the_next_steps(assignment, tmp_path, capsys):
    out = tmp_path / "plan"
    code = main(["k8s", "plan", "--autograder", str(assignment.autograder_zip), "--image", IMAGE,
                 "--shards", "2", "--parallelism", "1", "--memory", "1024", "--cpus", "0.5",
                 "--timeout", "120", "--out", str(out), str(assignment.samples_dir)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    job = documents(out)["job.yaml"]
    name = job["metadata"]["name"]
    assert f"job {name}, 2 shards (4, 3 notebooks), 7 submissions" in printed
    assert f"kubectl apply -k {out}" in printed and f"patch job {name}" in printed
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["limits"]["cpu"] == "500m"
    option = dict(zip(container["args"][::2], container["args"][1::2], strict=True))
    assert (option["--timeout"], option["--memory-mb"]) == ("120", "1024")
    assert json.loads((out / "data" / "plan.json").read_text())["shards"] == 2
    too_many = ["k8s", "plan", "--autograder", str(assignment.autograder_zip), "--image", IMAGE,
                "--shards", "9", "--out", str(tmp_path / "x"),
                str(assignment.samples_dir)]  # fmt: skip
    assert main(too_many) == 2
    assert "more than the 7 distinct notebooks" in capsys.readouterr().err
