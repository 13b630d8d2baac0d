// The other half of the onnxruntime stand-in (onnxruntime.py): loads the model given as the argument in
// onnxruntime-node, prints its inputs and outputs as one JSON line, then answers each line of feeds on stdin
// with one line of outputs. Numbers travel as JSON, which keeps float32 values exact both ways.
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-node';

const session = await ort.InferenceSession.create(process.argv[2]);
const meta = (list) => list.map(({ name, type, shape }) => ({ name, type, shape }));
const write = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
write({ inputs: meta(session.inputMetadata), outputs: meta(session.outputMetadata) });
const ARRAYS = { int32: Int32Array, float32: Float32Array, float64: Float64Array };
for await (const line of createInterface({ input: process.stdin })) {
  const feeds = JSON.parse(line);
  const tensors = {};
  for (const { name, type, shape } of session.inputMetadata) {
    tensors[name] = new ort.Tensor(type, ARRAYS[type].from(feeds[name]), shape);
  }
  const outputs = await session.run(tensors);
  const reply = {};
  for (const [name, t] of Object.entries(outputs))
    reply[name] = { type: t.type, dims: t.dims, data: Array.from(t.data) };
  write(reply);
}
await session.release();
