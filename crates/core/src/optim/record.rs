//! Writing the optimizers' per-parameter states into burn's optimizer record
//! and reading them back (burn's `RecordState` derive only works inside
//! burn-optim).

use burn::optim::{StateSink, StateSource};
use burn::tensor::{Device, Tensor, TensorData};
use burn_pack::Scalar;

/// Records `tensors` under `prefix`.
pub(crate) fn push_tensors<const D: usize>(
    tensors: &[(&str, &Tensor<D>)],
    prefix: &str,
    out: &mut StateSink,
) {
    for (leaf, tensor) in tensors {
        out.push_tensor(prefix, leaf, tensor.to_data());
    }
}

/// Reads the tensor `leaf` of a state recorded under `prefix`, in its
/// recorded precision (an f64 model keeps f64 state).
pub(crate) fn tensor<const D: usize>(
    src: &mut StateSource,
    prefix: &str,
    leaf: &str,
    device: &Device,
) -> Option<Tensor<D>> {
    let data: TensorData = src.take_tensor(prefix, leaf)?;
    let dtype = data.dtype();
    Some(Tensor::from_data(data, (device, dtype)))
}

/// Reads the count `leaf` recorded under `prefix`.
pub(crate) fn count(src: &mut StateSource, prefix: &str, leaf: &str) -> Option<u64> {
    match src.take_scalar(prefix, leaf)? {
        Scalar::UInt(n) => Some(n),
        _ => None,
    }
}

/// Reads the number `leaf` recorded under `prefix`.
pub(crate) fn number(src: &mut StateSource, prefix: &str, leaf: &str) -> Option<f64> {
    match src.take_scalar(prefix, leaf)? {
        Scalar::Float(x) => Some(x),
        _ => None,
    }
}
