"""The stock MLflow client logging one large artifact through mlgate, then
listing and downloading it back: what a training job's `log_artifact` does.
argv: experiment name, file size in bytes, output JSON path. Multipart
uploads are switched on by the caller's environment (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD)."""
import hashlib
import json
import os
import sys

import mlflow

experiment, size, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
mlflow.set_experiment(experiment)
path = os.path.join(os.getcwd(), "weights.bin")
digest = hashlib.sha256()
with open(path, "wb") as file:
    block = os.urandom(1024 * 1024)
    written = 0
    while written < size:
        chunk = block[: min(len(block), size - written)]
        file.write(chunk)
        digest.update(chunk)
        written += len(chunk)
with mlflow.start_run() as run:
    mlflow.log_artifact(path, artifact_path="model")
    listed = [(f.path, f.is_dir, f.file_size) for f in mlflow.artifacts.list_artifacts(run_id=run.info.run_id, artifact_path="model")]
    downloaded = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="model/weights.bin", dst_path=os.path.join(os.getcwd(), "back"))
back = hashlib.sha256()
with open(downloaded, "rb") as file:
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        back.update(chunk)
with open(output, "w") as out:
    json.dump({"run_id": run.info.run_id, "experiment_id": run.info.experiment_id, "artifact_uri": run.info.artifact_uri, "listed": listed, "sent": digest.hexdigest(), "received": back.hexdigest()}, out)
