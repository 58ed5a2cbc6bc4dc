"""The floor of each benchmarked step: its floating-point work divided by this machine's matmul throughput.

Work counts 2 FLOPs per multiply-add of the matrix products and convolutions only (LSTM gates, output
projection, the discriminator's convolutions, highway and output layers); elementwise work, softmax and
random numbers are left out, so the floor is optimistic. Training counts 3x the forward work (forward, and
a backward pass of about twice the forward). The throughput is the median rate of a large float32 matmul
measured in the same run, i.e. the best this machine does on dense products.
"""

from __future__ import annotations

import statistics
import time

from reproduction.config import DiscriminatorConfig, LSTMShape, RunConfig

TRAIN = 3  # forward + backward, in units of the forward work


def lstm_step(shape: LSTMShape) -> float:
    """One token through the fused gates: [x, h] (E + H) times the (E + H, 4H) gate matrix."""
    return 2.0 * (shape.emb_dim + shape.hidden_dim) * 4 * shape.hidden_dim


def token(shape: LSTMShape) -> float:
    """One generated or scored token: an LSTM step plus the (H, V) output projection."""
    return lstm_step(shape) + 2.0 * shape.hidden_dim * shape.vocab_size


def d_forward(disc: DiscriminatorConfig, seq_len: int) -> float:
    """One sequence through the highway CNN: every VALID convolution, the highway layer, the output layer."""
    conv = sum(2.0 * (seq_len - w + 1) * w * disc.emb_dim * n for w, n in zip(disc.filter_sizes, disc.num_filters,
                                                                           strict=True))
    features = sum(disc.num_filters)
    return conv + 2 * (2.0 * features * features) + 2.0 * features * 2


def mle_epoch(cfg: RunConfig) -> float:
    return TRAIN * cfg.schedule.num_train * cfg.shape.seq_len * token(cfg.shape)


def sampling(cfg: RunConfig, n: int) -> float:
    return n * cfg.shape.seq_len * token(cfg.shape)


def d_epoch(cfg: RunConfig, sequences: int) -> float:
    return TRAIN * sequences * d_forward(cfg.discriminator, cfg.shape.seq_len)


def rewards(cfg: RunConfig) -> float:
    """Teacher-forced states of the batch, sum_t (T - t) sampled tokens per rollout and prefix, then D on
    every completion and on the batch itself (Eq. 4)."""
    b, n, t = cfg.schedule.batch_size, cfg.schedule.rollout_num, cfg.shape.seq_len
    completed_tokens = n * b * sum(t - p for p in range(1, t))
    scored = (t - 1) * n * b + b
    return b * t * lstm_step(cfg.shape) + completed_tokens * token(cfg.shape) + scored * d_forward(
        cfg.discriminator, t)


def g_step(cfg: RunConfig) -> float:
    """Sample a batch, its rewards, one policy-gradient update (Algorithm 1, lines 7-10)."""
    b = cfg.schedule.batch_size
    return sampling(cfg, b) + rewards(cfg) + TRAIN * b * cfg.shape.seq_len * token(cfg.shape)


def adversarial_batch(cfg: RunConfig) -> float:
    s = cfg.schedule
    d_work = sampling(cfg, s.d_negatives) + s.k_epochs * d_epoch(cfg, s.d_negatives + s.d_positives)
    return s.g_steps * g_step(cfg) + s.d_steps * d_work


def matmul_gflops(n: int = 2048, repeats: int = 7) -> float:
    """Median GFLOP/s of an (n, n) x (n, n) float32 matmul, compiled, after one warm-up call."""
    import tensorflow as tf

    a = tf.random.stateless_normal([n, n], seed=[1, 2])
    b = tf.random.stateless_normal([n, n], seed=[3, 4])
    product = tf.function(lambda: tf.reduce_sum(a @ b), autograph=False)
    product().numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        product().numpy()
        times.append(time.perf_counter() - start)
    return 2.0 * n**3 / statistics.median(times) / 1e9


def memory_gbs(n: int = 1 << 25, repeats: int = 7) -> float:
    """Median GB/s of a compiled elementwise `a * 0.5 + b` over n float32 values (reads 2, writes 1: 12 bytes
    per value): the memory bandwidth that bounds work with about one operation per byte, as an Adam update."""
    import tensorflow as tf

    a = tf.random.stateless_normal([n], seed=[5, 6])
    b = tf.random.stateless_normal([n], seed=[7, 8])
    axpy = tf.function(lambda: a * 0.5 + b, autograph=False)
    axpy().numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        axpy()  # the result stays in TensorFlow: no copy to NumPy inside the timing
        times.append(time.perf_counter() - start)
    return 12.0 * n / statistics.median(times) / 1e9


ADAM_BYTES_PER_PARAMETER = 7 * 4  # reads weight, gradient and both moments, writes weight and both moments
