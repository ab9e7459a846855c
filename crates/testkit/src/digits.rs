//! The UCI handwritten digits (1797 images of 8x8 pixels), bundled with the
//! project, as burn datasets and batches.

use std::io::Read;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::tensor::{Device, Int, Tensor, TensorData};

/// The compressed CSV: 64 pixels (0..16) then the label, one image per line.
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../data/digits.csv.gz");

/// Pixels per image.
pub const PIXELS: usize = 64;
/// Number of classes.
pub const CLASSES: usize = 10;

/// One image: pixels scaled to `[0, 1]` and its label.
#[derive(Debug, Clone)]
pub struct Digit {
    /// Row-major 8x8 pixels divided by 16.
    pub pixels: [f32; PIXELS],
    /// The digit, 0..9.
    pub label: u8,
}

/// All 1797 images in file order.
pub fn load() -> Vec<Digit> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(DIGITS_CSV_GZ)
        .read_to_string(&mut text)
        .expect("the bundled digits file is valid gzip text");
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let values: Vec<f32> = line
                .split(',')
                .map(|v| {
                    v.trim()
                        .parse()
                        .expect("the bundled digits file holds numbers")
                })
                .collect();
            let mut pixels = [0.0; PIXELS];
            for (pixel, value) in pixels.iter_mut().zip(&values) {
                *pixel = value / 16.0;
            }
            Digit {
                pixels,
                label: values[PIXELS] as u8,
            }
        })
        .collect()
}

/// A seeded shuffle (SplitMix64 + Fisher-Yates), so splits are reproducible
/// without a random-number dependency.
pub fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// A train/validation split: 80% / 20% of a seeded shuffle.
pub fn split(seed: u64) -> (InMemDataset<Digit>, InMemDataset<Digit>) {
    split_classes(seed, 0..10)
}

/// The same split restricted to the digits in `classes` (e.g. `0..5` to
/// pretrain, `5..10` to fine-tune).
pub fn split_classes(
    seed: u64,
    classes: std::ops::Range<u8>,
) -> (InMemDataset<Digit>, InMemDataset<Digit>) {
    let mut all = load();
    shuffle(&mut all, seed);
    let valid = all.split_off(all.len() * 4 / 5);
    let keep = |set: Vec<Digit>| {
        InMemDataset::new(
            set.into_iter()
                .filter(|d| classes.contains(&d.label))
                .collect(),
        )
    };
    (keep(all), keep(valid))
}

/// A batch of images and labels.
#[derive(Debug, Clone)]
pub struct DigitBatch {
    /// `[batch, 64]` pixels.
    pub images: Tensor<2>,
    /// `[batch]` labels.
    pub targets: Tensor<1, Int>,
}

/// Stacks [`Digit`]s into a [`DigitBatch`].
#[derive(Debug, Clone, Default)]
pub struct DigitBatcher;

impl Batcher<Digit, DigitBatch> for DigitBatcher {
    fn batch(&self, items: Vec<Digit>, device: &Device) -> DigitBatch {
        let n = items.len();
        let pixels: Vec<f32> = items.iter().flat_map(|d| d.pixels).collect();
        let labels: Vec<i64> = items.iter().map(|d| d.label as i64).collect();
        DigitBatch {
            images: Tensor::from_data(TensorData::new(pixels, [n, PIXELS]), device),
            targets: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_file_has_every_image() {
        let all = load();
        assert_eq!(all.len(), 1797);
        assert!(
            all.iter()
                .all(|d| d.label < 10 && d.pixels.iter().all(|p| (0.0..=1.0).contains(p)))
        );
        let mut counts = [0; CLASSES];
        all.iter().for_each(|d| counts[d.label as usize] += 1);
        assert!(counts.iter().all(|&c| c > 170), "{counts:?}");
    }

    #[test]
    fn shuffles_are_seeded() {
        let mut a: Vec<u32> = (0..100).collect();
        let mut b = a.clone();
        shuffle(&mut a, 7);
        shuffle(&mut b, 7);
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>());
    }
}
