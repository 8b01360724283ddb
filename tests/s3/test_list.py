"""ListObjectsV2 and ListObjects (V1): prefix, delimiter, max-keys,
pagination, start-after, fetch-owner, encoding-type=url, paginators."""

import concurrent.futures
from urllib.parse import unquote_plus

import pytest

import s3util
from s3util import assert_error, xml_find_all


def put_keys(s3, bucket, keys, body=b"x"):
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=body), keys))


@pytest.fixture(scope="module")
def many(request):
    """250 keys in a module-wide bucket (created lazily, deleted at the end)."""
    s3 = request.getfixturevalue("s3")
    from conftest import unique_bucket_name, _cleanup_bucket
    name = unique_bucket_name("many")
    s3.create_bucket(Bucket=name)
    keys = ["k/%03d" % i for i in range(250)]
    put_keys(s3, name, keys)
    yield name, keys
    _cleanup_bucket(s3, name)


TREE = ["a/1", "a/2", "a/b/3", "b/1", "c", "d/e/f", "d/e/g", "e"]


def test_list_v2_all(s3, bucket):
    put_keys(s3, bucket, TREE, body=b"12345")
    r = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in r["Contents"]] == TREE
    assert r["KeyCount"] == len(TREE)
    assert r["IsTruncated"] is False
    assert r["Name"] == bucket
    for o in r["Contents"]:
        assert o["Size"] == 5
        assert o["ETag"] == '"%s"' % s3util.md5hex(b"12345")
        assert o["LastModified"]
        assert o.get("StorageClass") == "STANDARD"
        assert "Owner" not in o  # only with fetch-owner


def test_list_v2_prefix_delimiter(s3, bucket):
    put_keys(s3, bucket, TREE)
    r = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["c", "e"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/", "d/"]
    assert r["KeyCount"] == 5
    r = s3.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/b/"]
    assert r["Prefix"] == "a/"
    r = s3.list_objects_v2(Bucket=bucket, Prefix="d/", Delimiter="/")
    assert "Contents" not in r
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d/e/"]
    r = s3.list_objects_v2(Bucket=bucket, Prefix="d")
    assert [o["Key"] for o in r["Contents"]] == ["d/e/f", "d/e/g"]
    r = s3.list_objects_v2(Bucket=bucket, Prefix="zzz")
    assert r["KeyCount"] == 0 and "Contents" not in r
    # a delimiter other than '/'
    r = s3.list_objects_v2(Bucket=bucket, Delimiter="e")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d/e", "e"]


def test_list_v2_max_keys_pagination(s3, many):
    bucket, keys = many
    got, token, pages = [], None, 0
    while pages < 10:
        kw = {"Bucket": bucket, "MaxKeys": 100}
        if token:
            kw["ContinuationToken"] = token
        r = s3.list_objects_v2(**kw)
        pages += 1
        got += [o["Key"] for o in r.get("Contents", [])]
        assert r["MaxKeys"] == 100
        if token:
            assert r.get("ContinuationToken") == token  # echoed back
        if not r["IsTruncated"]:
            assert "NextContinuationToken" not in r
            assert r["KeyCount"] == 50
            break
        assert r["KeyCount"] == 100
        token = r["NextContinuationToken"]
        assert token
    assert pages == 3
    assert got == keys


def test_list_v2_max_keys_zero_and_one(s3, many):
    bucket, keys = many
    r = s3.list_objects_v2(Bucket=bucket, MaxKeys=1)
    assert [o["Key"] for o in r["Contents"]] == keys[:1] and r["IsTruncated"] is True
    r = s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
    assert "Contents" not in r and r["KeyCount"] == 0


def test_list_v2_max_keys_capped_at_1000(s3, many):
    bucket, keys = many
    r = s3.list_objects_v2(Bucket=bucket, MaxKeys=5000)
    assert [o["Key"] for o in r["Contents"]] == keys
    assert r["IsTruncated"] is False


def test_list_v2_start_after(s3, many):
    bucket, keys = many
    r = s3.list_objects_v2(Bucket=bucket, StartAfter="k/199")
    assert [o["Key"] for o in r["Contents"]] == keys[200:]
    assert r["StartAfter"] == "k/199"
    r = s3.list_objects_v2(Bucket=bucket, StartAfter="k/0995")  # between keys
    assert [o["Key"] for o in r["Contents"]] == keys[100:]


def test_list_v2_fetch_owner(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"x")
    r = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)
    owner = r["Contents"][0].get("Owner")
    assert owner and owner.get("ID"), r["Contents"][0]


def test_list_v2_paginator(s3, many):
    bucket, keys = many
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 100}))
    assert len(pages) == 3
    assert [o["Key"] for p in pages for o in p["Contents"]] == keys


def test_list_v1_paginator(s3, many):
    bucket, keys = many
    pages = list(s3.get_paginator("list_objects").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 100}))
    assert len(pages) == 3
    assert [o["Key"] for p in pages for o in p["Contents"]] == keys


def test_list_v1_marker_and_truncation(s3, bucket):
    put_keys(s3, bucket, ["m%d" % i for i in range(5)])
    r = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert [o["Key"] for o in r["Contents"]] == ["m0", "m1"]
    assert r["IsTruncated"] is True
    # NextMarker is only returned when a delimiter is given (AWS API reference)
    assert "NextMarker" not in r, r
    r = s3.list_objects(Bucket=bucket, MaxKeys=2, Marker="m1")
    assert [o["Key"] for o in r["Contents"]] == ["m2", "m3"]
    assert r["Marker"] == "m1"
    r = s3.list_objects(Bucket=bucket, MaxKeys=2, Marker="m3")
    assert [o["Key"] for o in r["Contents"]] == ["m4"]
    assert r["IsTruncated"] is False


def test_list_v1_next_marker_with_delimiter(s3, bucket):
    put_keys(s3, bucket, ["a/1", "a/2", "b/1", "c", "d"])
    r = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert [p["Prefix"] for p in r.get("CommonPrefixes", [])] == ["a/", "b/"]
    assert r["IsTruncated"] is True
    assert r["NextMarker"] == "b/"
    r = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2, Marker=r["NextMarker"])
    assert [o["Key"] for o in r["Contents"]] == ["c", "d"]
    assert r["IsTruncated"] is False


def test_list_v1_owner_present(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"x")
    r = s3.list_objects(Bucket=bucket)
    assert r["Contents"][0].get("Owner", {}).get("ID"), r["Contents"][0]


SPECIAL = ["with space", "plus+sign", "percent%20literal", "amp&lt<gt>", "quote\"'",
           "uni/日本語 ü", "tab\tchar", "q?mark#hash", "eq=and&"]


def test_list_encoding_type_url_raw(raw, s3, bucket):
    for k in SPECIAL:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    r = raw("GET", "/" + bucket, "encoding-type=url&list-type=2")
    assert r.status == 200, r
    assert xml_find_all(r.body, "EncodingType")[0].text == "url"
    raw_keys = [e.text for e in xml_find_all(r.body, "Key")]
    assert len(raw_keys) == len(SPECIAL)
    for rk in raw_keys:
        assert " " not in rk and "\t" not in rk, rk
    assert sorted(unquote_plus(k) for k in raw_keys) == sorted(SPECIAL)
    # without encoding-type the keys come back XML-escaped, verbatim
    r = raw("GET", "/" + bucket, "list-type=2")
    assert sorted(e.text for e in xml_find_all(r.body, "Key")) == sorted(SPECIAL)


def test_list_special_keys_boto3(s3, bucket):
    for k in SPECIAL:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    # boto3 asks for encoding-type=url and decodes
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == sorted(SPECIAL)
    assert sorted(o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]) == sorted(SPECIAL)
    r = s3.list_objects_v2(Bucket=bucket, Prefix="uni/", Delimiter="/")
    assert [o["Key"] for o in r["Contents"]] == ["uni/日本語 ü"]
    for k in SPECIAL:
        assert s3.get_object(Bucket=bucket, Key=k)["Body"].read() == k.encode()


def test_list_invalid_max_keys(raw, bucket):
    r = raw("GET", "/" + bucket, "list-type=2&max-keys=-1")
    assert_error(r, 400, "InvalidArgument")


def test_list_bad_continuation_token(raw, bucket):
    r = raw("GET", "/" + bucket, "continuation-token=%21%21not-a-token&list-type=2")
    assert_error(r, 400, "InvalidArgument")


def test_list_v2_delimiter_pagination_counts_prefixes(s3, bucket):
    """CommonPrefixes count toward max-keys and a prefix is never repeated
    across pages (AWS rolls all keys under a prefix into one entry)."""
    put_keys(s3, bucket, ["a/%d" % i for i in range(5)] + ["b/1", "c", "d/1", "d/2", "e"])
    seen, token = [], None
    for _ in range(20):
        kw = {"Bucket": bucket, "Delimiter": "/", "MaxKeys": 1}
        if token:
            kw["ContinuationToken"] = token
        r = s3.list_objects_v2(**kw)
        page = [o["Key"] for o in r.get("Contents", [])] + \
               [p["Prefix"] for p in r.get("CommonPrefixes", [])]
        assert len(page) <= 1 and r["KeyCount"] == len(page), r
        seen += page
        if not r["IsTruncated"]:
            break
        token = r["NextContinuationToken"]
    assert seen == ["a/", "b/", "c", "d/", "e"]


def test_list_v2_paginator_with_delimiter(s3, bucket):
    put_keys(s3, bucket, ["x/%02d/f" % i for i in range(30)] + ["top%d" % i for i in range(5)])
    prefixes, keys = [], []
    for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Delimiter="/", Prefix="x/", PaginationConfig={"PageSize": 7}):
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        keys += [o["Key"] for o in page.get("Contents", [])]
    assert prefixes == ["x/%02d/" % i for i in range(30)] and keys == []


def test_list_v1_delimiter_pagination(s3, bucket):
    put_keys(s3, bucket, ["a/%d" % i for i in range(5)] + ["b/1", "c", "d/1", "e"])
    seen, marker = [], ""
    for _ in range(20):
        r = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2, Marker=marker)
        seen += [o["Key"] for o in r.get("Contents", [])] + \
                [p["Prefix"] for p in r.get("CommonPrefixes", [])]
        if not r["IsTruncated"]:
            break
        marker = r["NextMarker"]
    assert sorted(seen) == ["a/", "b/", "c", "d/", "e"] and len(seen) == 5


def test_list_prefix_and_start_after_combined(s3, bucket):
    put_keys(s3, bucket, ["p/1", "p/2", "p/3", "q/1"])
    r = s3.list_objects_v2(Bucket=bucket, Prefix="p/", StartAfter="p/1")
    assert [o["Key"] for o in r["Contents"]] == ["p/2", "p/3"]
    r = s3.list_objects_v2(Bucket=bucket, Prefix="p/", StartAfter="a")
    assert [o["Key"] for o in r["Contents"]] == ["p/1", "p/2", "p/3"]
    r = s3.list_objects_v2(Bucket=bucket, Prefix="p/", StartAfter="z")
    assert r["KeyCount"] == 0


def test_list_default_page_is_1000(s3, bucket):
    keys = ["k%04d" % i for i in range(1001)]
    put_keys(s3, bucket, keys, body=b"")
    r = s3.list_objects_v2(Bucket=bucket)
    assert r["KeyCount"] == 1000 and r["IsTruncated"] is True
    assert [o["Key"] for o in r["Contents"]] == keys[:1000]
    r2 = s3.list_objects_v2(Bucket=bucket, ContinuationToken=r["NextContinuationToken"])
    assert [o["Key"] for o in r2["Contents"]] == ["k1000"] and r2["IsTruncated"] is False
    r = s3.list_objects(Bucket=bucket)
    assert len(r["Contents"]) == 1000 and r["IsTruncated"] is True
