"""infra/publish and infra/takedown against moto's S3 and CloudFront on 127.0.0.1.

Each test builds the example site with the real `ydt` binary (the debug build `tests/run` makes:
$CARGO_TARGET_DIR/debug/ydt, else target/debug/ydt, or $YDT_BIN), publishes it with the real
scripts, changes the content as a clerk would, and checks what reached the bucket. moto_server is
started on a free loopback port; the AWS variables point everything at it, with fake keys and the
instance metadata service disabled, so nothing reaches AWS.

    python3 -m unittest discover -s infra/tests -v
"""

import datetime
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import boto3

import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import site_bucket  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PUBLISH = os.path.join(REPO, "infra", "publish")
TAKEDOWN = os.path.join(REPO, "infra", "takedown")
BUCKET = "ydt-site"


def ydt_binary():
    candidates = [os.environ.get("YDT_BIN")]
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        candidates.append(os.path.join(target, "debug", "ydt"))
    candidates.append(os.path.join(REPO, "target", "debug", "ydt"))
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    raise RuntimeError("no ydt binary: run `cargo build -p ydt` first (tests/run does), or set YDT_BIN")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    """A moto_server on loopback, for the length of one test class."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            ["moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("moto_server exited before it listened")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not listen within 60 s")
                time.sleep(0.1)
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.kill()
        self.process.wait()


def aws_env(endpoint):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and "PROXY" not in k.upper()}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="cn-north-1",
        AWS_REGION="cn-north-1",
        NO_PROXY="127.0.0.1",
    )
    return env


def read_tree(directory):
    tree = {}
    for top, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                tree[os.path.relpath(path, directory).replace(os.sep, "/")] = f.read()
    return tree


class PublishTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ydt = ydt_binary()
        cls.moto = Moto()
        cls.env = aws_env(cls.moto.endpoint)
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="cn-north-1"
        )
        cls.s3 = session.client("s3", endpoint_url=cls.moto.endpoint)
        cls.cloudfront = session.client("cloudfront", endpoint_url=cls.moto.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ydt-publish-")
        self.root = os.path.join(self.work, "site")
        for part in ("content", "themes"):
            shutil.copytree(os.path.join(REPO, part), os.path.join(self.root, part))
        self.bucket = f"{BUCKET}-{self._testMethodName.replace('_', '-')}"[:63]
        self.s3.create_bucket(
            Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        self.builds = 0

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    # ------------------------------------------------------------------ helpers

    def build(self):
        """`ydt build` of the test's root into a new folder (new files, new mtimes)."""
        self.builds += 1
        out = os.path.join(self.work, f"public-{self.builds}")
        done = subprocess.run(
            [self.ydt, "build", "--root", self.root, "--out", out], capture_output=True, text=True
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        return out

    def publish(self, out, *extra):
        done = subprocess.run(
            [PUBLISH, "--bucket", self.bucket, "--dir", out, *extra],
            env=self.env,
            capture_output=True,
            text=True,
        )
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        lines = done.stdout.splitlines()
        acted = {
            verb: sorted(line.split(" ", 2)[1] for line in lines if line.startswith(verb + " "))
            for verb in ("upload", "delete", "keep", "invalidate")
        }
        acted["summary"] = lines[-1]
        acted["upload order"] = [line.split(" ", 2)[1] for line in lines if line.startswith("upload ")]
        return acted

    def bucket_objects(self):
        objects = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for obj in page.get("Contents", []):
                if not obj["Key"].startswith(".ydt/"):
                    body = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
                    objects[obj["Key"]] = body
        return objects

    def versions_of(self, key):
        answer = self.s3.list_object_versions(Bucket=self.bucket, Prefix=key)
        return [v for v in answer.get("Versions", []) + answer.get("DeleteMarkers", []) if v["Key"] == key]

    def distribution(self):
        config = {
            "CallerReference": self.bucket,
            "Comment": "test",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": f"{self.bucket}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
        return self.cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]

    def invalidated_paths(self, distribution):
        listed = self.cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
        paths = []
        for item in listed.get("Items", []):
            got = self.cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])
            paths.extend(got["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", []))
        return sorted(paths)

    def edit(self, relative, change):
        path = os.path.join(self.root, relative)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(change(text))

    # ------------------------------------------------------------------ tests

    def test_second_publish_sends_only_what_changed(self):
        first = self.build()
        built = read_tree(first)
        acted = self.publish(first)
        self.assertEqual(len(acted["upload"]), len(built), acted["summary"])
        self.assertEqual(self.bucket_objects(), built)

        # The same content built again: new files, new mtimes, the same bytes.
        again = self.build()
        acted = self.publish(again)
        self.assertEqual(acted["upload"], [], acted["summary"])
        self.assertEqual(acted["delete"], [])

        # A clerk corrects one notice and withdraws another.
        self.edit(
            "content/communities/binhu/notices/2026-11-dangfei.md",
            lambda t: t.replace("本月党费已全额上缴", "本月党费已于11月9日全额上缴"),
        )
        os.remove(os.path.join(self.root, "content/communities/cuizhuyuan/notices/2026-11-siyi-liangkai.md"))
        second = self.build()
        rebuilt = read_tree(second)
        changed = sorted(k for k, v in rebuilt.items() if built.get(k) != v)
        removed = sorted(set(built) - set(rebuilt))
        distribution = self.distribution()
        acted = self.publish(second, "--distribution", distribution)

        # Exactly the files whose bytes differ, a handful out of hundreds, and the withdrawn ones.
        self.assertEqual(acted["upload"], changed, acted["summary"])
        self.assertIn("binhu/notices/2026-11-dangfei/index.html", " ".join(changed))
        self.assertLessEqual(len(changed), 12, changed)
        self.assertGreater(len(built), 200)
        self.assertEqual(acted["delete"], removed)
        self.assertIn("c/cuizhuyuan/notices/2026-11-siyi-liangkai/index.html", removed)
        self.assertIn(f"{len(changed)} uploaded, {len(rebuilt) - len(changed)} unchanged", acted["summary"])
        # Every key the second publish sent has two versions; the rest still their first.
        for key in rebuilt:
            self.assertEqual(len(self.versions_of(key)), 2 if key in changed else 1, key)

        # The bucket is the build, byte for byte.
        self.assertEqual(self.bucket_objects(), rebuilt)

        # Only the changed pages are invalidated, each under the URL residents use too.
        paths = self.invalidated_paths(distribution)
        self.assertIn("/c/binhu/notices/2026-11-dangfei/", paths)
        self.assertIn("/c/cuizhuyuan/notices/2026-11-siyi-liangkai/", paths)
        self.assertNotIn("/*", paths)
        self.assertNotIn("/c/qingshui/", paths)

    def test_each_kind_of_file_gets_its_type_and_cache(self):
        out = self.build()
        self.publish(out)
        head = lambda key: self.s3.head_object(Bucket=self.bucket, Key=key)  # noqa: E731
        page = head("c/binhu/index.html")
        self.assertEqual(page["ContentType"], "text/html; charset=utf-8")
        self.assertEqual(page["CacheControl"], "public, max-age=60, s-maxage=300")
        hashed = [k for k in read_tree(out) if re.fullmatch(r"static/form\.[0-9a-f]{12}\.js", k)]
        self.assertEqual(len(hashed), 1, "form.js is published under its content hash")
        script = head(hashed[0])
        self.assertEqual(script["ContentType"], "text/javascript; charset=utf-8")
        self.assertIn("immutable", script["CacheControl"])
        self.assertEqual(head("manifest.json")["CacheControl"], "no-cache")
        self.assertEqual(head("c/binhu/feed.xml")["ContentType"], "application/atom+xml; charset=utf-8")
        self.assertEqual(head("c/binhu/qr.svg")["ContentType"], "image/svg+xml")

    def test_a_replaced_asset_stays_a_week(self):
        first = self.build()
        self.publish(first)
        old = [k for k in read_tree(first) if k.startswith("static/form.")]
        self.edit("themes/default/static/form.js", lambda t: t + "\n// 改一个字\n")
        second = self.build()
        new = [k for k in read_tree(second) if k.startswith("static/form.")]
        self.assertNotEqual(old, new, "a changed form.js gets a new name")
        acted = self.publish(second)
        self.assertIn(new[0], acted["upload"])
        self.assertEqual(acted["keep"], old)
        self.assertEqual(acted["delete"], [])
        order = acted["upload order"]
        pages = [k for k in order if k.endswith(".html")]
        self.assertTrue(pages, acted["summary"])
        self.assertLess(order.index(new[0]), order.index(pages[0]), "the script goes up before the pages using it")
        # Six days on it is still there; eight days on it goes.
        now = datetime.datetime.now(datetime.timezone.utc)
        acted = self.publish(second, "--now", (now + datetime.timedelta(days=6)).isoformat())
        self.assertEqual(acted["keep"], old)
        acted = self.publish(second, "--now", (now + datetime.timedelta(days=8)).isoformat())
        self.assertEqual(acted["delete"], old)
        self.assertEqual(self.bucket_objects(), read_tree(second))

    def test_dry_run_changes_nothing(self):
        first = self.build()
        self.publish(first)
        self.edit(
            "content/communities/binhu/notices/2026-11-dangfei.md",
            lambda t: t.replace("本月党费已全额上缴", "本月党费已于11月9日全额上缴"),
        )
        second = self.build()
        acted = self.publish(second, "--dry-run")
        self.assertIn("c/binhu/notices/2026-11-dangfei/index.html", acted["upload"])
        self.assertEqual(self.bucket_objects(), read_tree(first), "the bucket still holds the first build")
        acted = self.publish(second)
        self.assertIn("c/binhu/notices/2026-11-dangfei/index.html", acted["upload"])

    def test_an_empty_build_never_empties_the_bucket(self):
        self.publish(self.build())
        empty = os.path.join(self.work, "empty")
        os.mkdir(empty)
        done = subprocess.run(
            [PUBLISH, "--bucket", self.bucket, "--dir", empty], env=self.env, capture_output=True, text=True
        )
        self.assertEqual(done.returncode, 2)
        self.assertGreater(len(self.bucket_objects()), 200)

    def test_folder_keys_serve_pages_without_a_function(self):
        out = self.build()
        acted = self.publish(out, "--folder-keys")
        page = self.s3.get_object(Bucket=self.bucket, Key="c/binhu/")
        self.assertEqual(page["ContentType"], "text/html; charset=utf-8")
        with open(os.path.join(out, "c/binhu/index.html"), "rb") as f:
            self.assertEqual(page["Body"].read(), f.read())
        self.assertIn("c/binhu/", acted["upload"])
        # The root page needs no folder key: DefaultRootObject serves it.
        self.assertNotIn("", acted["upload"])

    def test_takedown_removes_every_version_and_records_it(self):
        record = "c/cuizhuyuan/2026-11-gaoling-jintie/data.csv"
        first = self.build()
        self.publish(first)
        self.edit(
            "content/communities/cuizhuyuan/records/2026-11-gaoling-jintie.yaml",
            lambda t: t.replace("name: 石*明", "name: 石*民", 1),
        )
        self.publish(self.build())
        self.assertEqual(len(self.versions_of(record)), 2, "the edit left a noncurrent version")
        distribution = self.distribution()
        done = subprocess.run(
            [TAKEDOWN, "--bucket", self.bucket, "--path", "/" + record, "--reason", "名单泄露身份证号",
             "--distribution", distribution],
            env=self.env,
            capture_output=True,
            text=True,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.versions_of(record), [], "no version of the file is left")
        self.assertEqual(self.invalidated_paths(distribution), ["/" + record])
        records = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=".ydt/takedowns/")["Contents"]
        self.assertEqual(len(records), 1)
        body = self.s3.get_object(Bucket=self.bucket, Key=records[0]["Key"])["Body"].read().decode()
        self.assertIn("名单泄露身份证号", body)
        self.assertEqual(body.count('"version_id"'), 2)
        # A publish of a build that still has it puts it back (the runbook removes it from the
        # content first); it does not trust a hash of bytes the bucket no longer holds.
        acted = self.publish(self.build())
        self.assertEqual(acted["upload"], [record])


class InvalidationPathsTest(unittest.TestCase):
    """Which paths CloudFront is asked to drop: pages under the URL residents use, and wildcards
    only when a folder has many changes."""

    def test_pages_are_invalidated_under_their_folder_url(self):
        self.assertEqual(site_bucket.url_paths("c/x/index.html"), ["/c/x/", "/c/x/index.html"])
        self.assertEqual(site_bucket.url_paths("index.html"), ["/", "/index.html"])
        self.assertEqual(site_bucket.url_paths("c/x/"), ["/c/x/"])
        self.assertEqual(site_bucket.url_paths("c/x/qr.svg"), ["/c/x/qr.svg"])

    def test_a_few_paths_stay_as_they_are(self):
        paths = ["/c/a/", "/c/a/index.html", "/sitemap.xml"]
        self.assertEqual(site_bucket.group_paths(paths), sorted(paths))

    def test_many_in_one_community_become_its_wildcard(self):
        many = [f"/c/a/r{i}/data.csv" for i in range(11)]
        self.assertEqual(site_bucket.group_paths(many + ["/c/b/", "/feed.xml"]), ["/c/a/*", "/c/b/", "/feed.xml"])

    def test_very_many_become_the_whole_site(self):
        paths = [f"/c/s{i}/x{j}.csv" for i in range(30) for j in range(4)]
        self.assertEqual(site_bucket.group_paths(paths), ["/*"])


if __name__ == "__main__":
    unittest.main()
