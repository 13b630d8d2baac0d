"""A stand-in for Python's onnxruntime module, for testing the README's Python snippet where onnxruntime
cannot be installed: InferenceSession(path).run(output_names, feeds) passes each run on to onnxruntime-node
(bridge.mjs, started with the node of RNN_SCRATCH_NODE) and returns NumPy arrays. Like onnxruntime, it refuses
feeds with the wrong names, or that are not NumPy arrays of the input's element type and shape."""

import json
import os
import subprocess

import numpy as np

_TYPES = {'int32': np.int32, 'int64': np.int64, 'float32': np.float32, 'float64': np.float64}
_BRIDGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bridge.mjs')


class InferenceSession:
    def __init__(self, path, *args, **kwargs):
        self._process = subprocess.Popen(
            [os.environ['RNN_SCRATCH_NODE'], _BRIDGE, os.path.abspath(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        meta = json.loads(self._process.stdout.readline())
        self._inputs = meta['inputs']
        self._outputs = meta['outputs']

    def run(self, output_names, input_feed):
        names = [i['name'] for i in self._inputs]
        if sorted(input_feed) != sorted(names):
            raise ValueError(f'feeds {sorted(input_feed)} do not match the inputs {names}')
        for i in self._inputs:
            value = input_feed[i['name']]
            if not isinstance(value, np.ndarray):
                raise TypeError(f"input {i['name']} is not a NumPy array")
            if value.dtype != _TYPES[i['type']]:
                raise TypeError(f"input {i['name']} is {value.dtype}, the model wants {i['type']}")
            if list(value.shape) != i['shape']:
                raise ValueError(f"input {i['name']} has shape {list(value.shape)}, the model wants {i['shape']}")
        self._process.stdin.write(json.dumps({n: v.ravel().tolist() for n, v in input_feed.items()}) + '\n')
        self._process.stdin.flush()
        out = json.loads(self._process.stdout.readline())
        wanted = output_names or [o['name'] for o in self._outputs]
        return [np.array(out[n]['data'], _TYPES[out[n]['type']]).reshape(out[n]['dims']) for n in wanted]
