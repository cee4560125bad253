"""The site bucket as infra/publish and infra/takedown see it: the S3 and CloudFront clients, the
publish state kept in the bucket under `.ydt/`, and how a bucket key maps to the URL paths that
CloudFront caches. Not a general S3 library: only what those two commands need.

Both clients honour AWS_ENDPOINT_URL (and the per-service AWS_ENDPOINT_URL_S3 and
AWS_ENDPOINT_URL_CLOUDFRONT), as every AWS SDK does, so a local S3 stands in for the real one.
"""

import gzip
import json
import os
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Everything the commands keep in the bucket lives under this prefix. The bucket policy
# (infra/template.yaml, PublishStateIsPrivate) forbids CloudFront to read it.
STATE_PREFIX = ".ydt/"
# Gzipped: for the example site's 228 objects the record is 47,709 bytes of JSON, 10,576
# gzipped (209 and 46 bytes an object); at a city's 234,077 objects that would be about 49 MB,
# 11 MB gzipped.
STATE_KEY = STATE_PREFIX + "publish.json.gz"
TAKEDOWN_PREFIX = STATE_PREFIX + "takedowns/"

# CloudFront takes at most 3,000 paths in one invalidation and 15 with a wildcard in flight;
# past these a folder (or the whole site) is invalidated with one wildcard instead.
GROUP_FOLDER_AT = 10
GROUP_SITE_AT = 100


def clients(connections=10):
    """The S3 and CloudFront clients, with retries in standard mode; `connections` is the size of
    the S3 client's connection pool (one per upload thread)."""
    config = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=connections)
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL_S3") or endpoint,
        config=config,
    )
    cloudfront = boto3.client(
        "cloudfront",
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL_CLOUDFRONT") or endpoint,
        config=config,
    )
    return s3, cloudfront


def read_json(s3, bucket, key, default):
    """The JSON object stored under `key` (gunzipped when the key ends in .gz), or `default`
    when there is none."""
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return default
        raise
    return json.loads(gzip.decompress(body) if key.endswith(".gz") else body)


def write_json(s3, bucket, key, value):
    """`value` as JSON under `key`, gzipped when the key ends in .gz (with a fixed mtime, so the
    same record gives the same bytes)."""
    body = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    if key.endswith(".gz"):
        body = gzip.compress(body, mtime=0)
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="application/gzip" if key.endswith(".gz") else "application/json; charset=utf-8",
        CacheControl="no-store",
    )


def list_keys(s3, bucket):
    """Every current key of the bucket outside `.ydt/`."""
    keys = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            if not obj["Key"].startswith(STATE_PREFIX):
                keys.add(obj["Key"])
    return keys


def url_paths(key):
    """The URL paths under which CloudFront may have cached the object `key`.

    `c/x/index.html` is served as `/c/x/` too, and a folder key `c/x/` (China) is `/c/x/`.
    """
    if key == "index.html":
        return ["/", "/index.html"]
    if key.endswith("/index.html"):
        return ["/" + key[: -len("index.html")], "/" + key]
    return ["/" + key]


def group_paths(paths):
    """Invalidation paths: each one, unless a top folder (`/c/<slug>/`, `/static/`) has many
    changes, which become one wildcard; past GROUP_SITE_AT, the whole site as `/*`."""
    paths = sorted(set(paths))
    if len(paths) > GROUP_SITE_AT:
        return ["/*"]
    by_folder = {}
    for path in paths:
        parts = path.split("/")
        # /c/<slug>/… groups by community; /static/… and the rest by their first folder.
        depth = 3 if len(parts) > 3 and parts[1] == "c" else 2
        folder = "/".join(parts[:depth]) + "/" if len(parts) > depth else None
        by_folder.setdefault(folder, []).append(path)
    grouped = []
    for folder, members in sorted(by_folder.items(), key=lambda kv: kv[0] or ""):
        if folder is not None and len(members) > GROUP_FOLDER_AT:
            grouped.append(folder + "*")
        else:
            grouped.extend(members)
    return sorted(grouped)


def invalidate(cloudfront, distribution, paths):
    """One invalidation of `paths`; returns its id."""
    reference = "ydt-%d-%d" % (time.time_ns(), os.getpid())
    answer = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": reference,
        },
    )
    return answer["Invalidation"]["Id"]
