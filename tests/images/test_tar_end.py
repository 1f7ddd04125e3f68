"""TarEnd: a tar streamed from the engine is whole only when its end-of-archive comes where a
header is due, however the bytes are split, and never at any cut before that."""

import io
import tarfile

import pytest

from images.transfer import TarEnd


def tar_of(files: dict[str, bytes], format=tarfile.PAX_FORMAT) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=format) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def complete(data, piece: int | None = None) -> bool:
    tracker = TarEnd()
    view = memoryview(data)
    piece = piece or len(view) or 1
    for start in range(0, len(view), piece):
        tracker.feed(view[start : start + piece])
    return tracker.complete


def inner_tar() -> bytes:
    """A tar inside a tar, as `docker save` puts each layer.tar: its own end of zeros sits mid-stream."""
    return tar_of({"bin/tool": b"\x7fELF" + bytes(3000), "etc/empty": b""})


FILES = {
    "manifest.json": b'[{"Config": "c.json"}]',
    "0123abcd/layer.tar": inner_tar(),
    "long/" + "n" * 200 + "/name": b"a PAX path record",
    "zeros.bin": bytes(5000),
    "repositories": b"{}",
}


@pytest.mark.parametrize("format", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
@pytest.mark.parametrize("piece", [None, 1, 7, 511, 512, 513, 4096])
def test_a_whole_tar_is_complete_however_it_is_split(format, piece):
    files = FILES if format != tarfile.USTAR_FORMAT else {k: v for k, v in FILES.items() if len(k) < 100}
    assert complete(tar_of(files, format), piece)


@pytest.mark.parametrize("format", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_no_cut_before_the_end_is_complete(format):
    data = tar_of(FILES, format)
    last_member_end = -(-len(data.rstrip(b"\0")) // 512) * 512
    view = memoryview(data)
    cuts = sorted({*range(0, len(data) + 1, 512), *range(0, len(data) + 1, 97)})
    whole = [cut for cut in cuts if complete(view[:cut], 4096)]
    assert whole[0] == last_member_end + 1024  # the second zero block after the last member
    assert whole == [cut for cut in cuts if cut >= whole[0]]


def test_a_cut_right_after_an_inner_tar_is_not_complete():
    """Where a layer.tar's own end-of-archive ends, a check for trailing zeros would be fooled."""
    data = tar_of(FILES)
    layer = inner_tar()
    cut = data.index(layer) + len(layer)
    assert not any(data[cut - 1024 : cut])
    assert not complete(data[:cut])


def test_a_pax_size_record_overrides_the_header_size():
    """Go writes sizes over 8 GiB as a PAX `size` record; the ustar field may then say 0."""
    payload = b"x" * 1500
    record = b"size=1500\n"
    line = b"%d %s" % (len(record) + 3, record)  # "13 size=1500\n": the length counts itself
    assert int(line.split()[0]) == len(line)
    pax = tarfile.TarInfo("././@PaxHeader")
    pax.type, pax.size = tarfile.XHDTYPE, len(line)
    member = tarfile.TarInfo("big.bin")
    member.size = 0
    blocks = (
        pax.tobuf(tarfile.USTAR_FORMAT) + line.ljust(512, b"\0")
        + member.tobuf(tarfile.USTAR_FORMAT) + payload.ljust(1536, b"\0")
    )  # fmt: skip
    assert not complete(blocks + bytes(512))
    assert complete(blocks + bytes(1024))
    assert not complete(blocks[:-600] + bytes(1024))  # zeros inside the payload are not the end


def test_a_size_over_8_gib_in_base_256():
    member = tarfile.TarInfo("huge.bin")
    member.size = 0
    header = bytearray(member.tobuf(tarfile.GNU_FORMAT))
    header[124:136] = bytes([0x80]) + (1024).to_bytes(11, "big")
    header[148:156] = b"        "
    header[148:155] = b"%06o\0" % sum(header)
    data = bytes(header) + b"y" * 1024 + bytes(1024)
    assert complete(data)
    assert not complete(bytes(header) + bytes(1024))  # zeros read as the member's data


def test_a_real_docker_save_is_complete_only_at_its_end(engine, test_image):
    data = b"".join(engine.images.get(test_image).save(named=True))
    assert complete(data, 65536)
    view = memoryview(data)
    assert not any(complete(view[:cut], 65536) for cut in range(0, len(data) - 512, 512))
