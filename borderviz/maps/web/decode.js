/*
 * borderviz map engine: decode (MIT).
 * A packet (borderviz/maps/packet.py) is gzipped: "BVP1", a uint32 header length,
 * a JSON header, then little-endian typed columns at 8-byte-aligned offsets.
 * Columns become typed-array views on the decompressed buffer (no copy).
 */
(function (bv) {
  "use strict";

  var TYPES = {int32: Int32Array, float32: Float32Array, uint8: Uint8Array, uint32: Uint32Array,
               float64: Float64Array};

  function fromBase64(text) {
    var binary = atob(text), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  function parse(buffer) {
    var view = new DataView(buffer);
    var magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
    if (magic !== "BVP1") { throw new Error("not a borderviz packet"); }
    var length = view.getUint32(4, true);
    var header = JSON.parse(new TextDecoder("utf-8").decode(new Uint8Array(buffer, 8, length)));
    var start = 8 + length;
    var body = start + ((8 - start % 8) % 8);
    var columns = {};
    (header.columns || []).forEach(function (c) {
      columns[c.name] = new TYPES[c.type](buffer, body + c.offset, c.length);
    });
    delete header.columns;
    return {header: header, columns: columns};
  }

  /* bytes: a Uint8Array/ArrayBuffer or base64 text. Resolves to {header, columns}. */
  bv.decode = function (bytes) {
    if (typeof bytes === "string") { bytes = fromBase64(bytes); }
    return gunzip(bytes).then(parse);
  };
})(window.bvx = window.bvx || {});
