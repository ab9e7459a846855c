//! Suggestion rules scored against the grid's bands at every run length,
//! and the held-out (leave-one-task-out, leave-one-length-out) choice of a
//! rule's constants.

use burn_lr_finder::rule::{self, Anchor, REFERENCE_UPDATES};
use burn_lr_finder::{Method, SweepCurve, horizon_factor};

use super::band::Band;
use super::data::SweepRun;
use super::tasks::LENGTHS;

/// A rule family: an anchor LR read from a curve with a shape setting,
/// divided by a constant fitted for each schedule and, for the families
/// that know the run, scaled to the run's length by `(N / N0)^-beta`.
/// fastai's rules are taken as they are: no setting, divisor 1, no length.
pub struct Family {
    /// Name in the report.
    pub name: &'static str,
    /// What it does.
    pub about: &'static str,
    /// The shape settings the fit chooses from, with their labels.
    pub shapes: Vec<(String, Anchor)>,
    /// The divisors the fit chooses from, for each schedule.
    pub divisors: Vec<f64>,
    /// Whether the suggestion follows the run's length.
    pub horizon: bool,
    /// Whether SGD (with or without momentum) gets divisors of its own,
    /// apart from the adaptive optimizers (Adam, AdamW).
    pub per_optimizer: bool,
    /// How far below the collapse LR the fit keeps its suggestions (a
    /// factor; see [`safety_margin`]).
    pub margin: f64,
}

impl Family {
    /// Whether the library may ship it: it reads only the curve and the
    /// run's length (a user reading a recorded curve may leave the optimizer
    /// out, and a wrong one would move the LR silently), its fit keeps
    /// the full [`safety_margin`] (the protection for tasks whose collapse
    /// sits closer than the benchmark's), and it never hands off past a
    /// spike of the loss (fastai's rules are compared, not shipped).
    pub fn shippable(&self) -> bool {
        !self.per_optimizer && self.margin >= safety_margin() && self.stops_at_spikes()
    }

    /// Whether every shape's anchor stays below the loss's first spike
    /// ([`Anchor::stops_at_spikes`]).
    pub fn stops_at_spikes(&self) -> bool {
        self.shapes.iter().all(|(_, a)| a.stops_at_spikes())
    }
}

/// The family the library ships.
pub const SHIPPED: &str = "minimum before a spike / k, horizon";

/// The families compared: fastai's three rules as `Learner.lr_find` applies
/// them, and families read from the lag-free smoothed loss, with and
/// without the run's length.
pub fn families() -> Vec<Family> {
    let baseline = |name, about, method| Family {
        name,
        about,
        shapes: vec![("-".to_string(), Anchor::Fastai(method))],
        divisors: vec![1.0],
        horizon: false,
        per_optimizer: false,
        margin: safety_margin(),
    };
    let divisors: Vec<f64> = (0..=20)
        .map(|i| 10f64.powf(i as f64 / 10.0 - 0.5))
        .collect();
    let minimum = |name, horizon, per_optimizer, margin| Family {
        name,
        about: "the LR of the lowest lag-free smoothed loss (width in decades)",
        shapes: [0.1, 0.2, 0.3]
            .iter()
            .map(|&w| (format!("width {w}"), Anchor::Minimum { width: w }))
            .collect(),
        divisors: divisors.clone(),
        horizon,
        per_optimizer,
        margin,
    };
    let first_minimum = |name, horizon| Family {
        name,
        about: "the LR of the lowest lag-free smoothed loss before the loss first spikes (rises by a fraction r \
                of its fall)",
        shapes: [0.2, 0.3]
            .iter()
            .flat_map(|&w| {
                [0.25, 0.5, 1.0].iter().map(move |&r| {
                    (
                        format!("width {w}, r {r}"),
                        Anchor::FirstMinimum { width: w, rise: r },
                    )
                })
            })
            .collect(),
        divisors: divisors.clone(),
        horizon,
        per_optimizer: false,
        margin: safety_margin(),
    };
    let descent = |name, horizon| Family {
        name,
        about: "the first LR where the lag-free smoothed loss has made a fraction f of its fall",
        shapes: [0.5, 0.8, 0.9]
            .iter()
            .map(|&f| {
                (
                    format!("f {f}"),
                    Anchor::Descent {
                        width: 0.1,
                        fraction: f,
                    },
                )
            })
            .collect(),
        divisors: divisors.clone(),
        horizon,
        per_optimizer: false,
        margin: safety_margin(),
    };
    let full = safety_margin();
    // A third of a decade: the grid point nearest a suggestion stays one
    // step (x2.15) below the collapse LR.
    let narrow = 2.0;
    vec![
        baseline(
            "fastai valley",
            "a third and a half into the longest decreasing run of the EMA loss",
            Method::Valley,
        ),
        baseline(
            "fastai steep",
            "the steepest descent of the EMA loss",
            Method::Steepest,
        ),
        baseline(
            "fastai minimum",
            "the EMA loss's minimum / 10",
            Method::Minimum,
        ),
        minimum("minimum / k", false, false, full),
        minimum("minimum / k, horizon", true, false, full),
        minimum("minimum / k per optimizer", false, true, full),
        minimum("minimum / k per optimizer, horizon", true, true, full),
        minimum("minimum / k, narrow margin", false, false, narrow),
        minimum("minimum / k, horizon, narrow margin", true, false, narrow),
        first_minimum("minimum before a spike / k", false),
        first_minimum(SHIPPED, true),
        descent("descent f / k", false),
        descent("descent f / k, horizon", true),
    ]
}

/// How a rule did on a set of (curve, band) pairs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// Pairs read.
    pub curves: usize,
    /// Suggestions in the good band.
    pub in_band: usize,
    /// Suggestions at or above the collapse LR.
    pub collapses: usize,
    /// Suggestions within [`safety_margin`] of the collapse LR or above it
    /// (what the fit avoids).
    pub near_collapses: usize,
    /// `|log10(suggested / best)|` of each pair (infinite without a suggestion).
    pub errors: Vec<f64>,
}

/// What a suggestion near the collapse LR costs in the objective, in misses.
pub const COLLAPSE_COST: i64 = 10;

/// How far below the collapse LR a suggestion must stay for the fit: half a
/// decade (the grid point nearest to it at least two grid steps below the
/// collapse), so that a task whose collapse sits closer to its sweep than
/// the benchmark's do still has room.
pub fn safety_margin() -> f64 {
    10f64.sqrt()
}

impl Score {
    /// Adds one suggestion for a curve of the band's task; `margin` is the
    /// family's [`Family::margin`].
    pub fn add(&mut self, band: &Band, lr: Option<f64>, margin: f64) {
        self.curves += 1;
        match lr {
            Some(lr) => {
                self.in_band += band.contains(lr) as usize;
                self.collapses += band.collapses(lr) as usize;
                self.near_collapses +=
                    band.collapse_lr().is_some_and(|c| lr >= c / margin) as usize;
                self.errors.push((lr / band.best_lr()).log10().abs());
            }
            None => self.errors.push(f64::INFINITY),
        }
    }

    /// Merges another score.
    pub fn merge(&mut self, other: &Score) {
        self.curves += other.curves;
        self.in_band += other.in_band;
        self.collapses += other.collapses;
        self.near_collapses += other.near_collapses;
        self.errors.extend(&other.errors);
    }

    /// The median error, in decades.
    pub fn median_error(&self) -> f64 {
        let mut e = self.errors.clone();
        e.sort_by(f64::total_cmp);
        match e.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => e[n / 2],
            n => 0.5 * (e[n / 2 - 1] + e[n / 2]),
        }
    }

    /// The worst error, in decades.
    pub fn worst_error(&self) -> f64 {
        self.errors.iter().copied().fold(0.0, f64::max)
    }

    /// What the fit maximises: hits in the band, a suggestion within the
    /// [`safety_margin`] of the collapse LR costing [`COLLAPSE_COST`] misses;
    /// then the smaller median error (micro-decades).
    pub fn objective(&self) -> (i64, std::cmp::Reverse<u64>) {
        let median = (self.median_error() * 1e6) as u64;
        (
            self.in_band as i64 - COLLAPSE_COST * self.near_collapses as i64,
            std::cmp::Reverse(median),
        )
    }
}

/// A curve as the rules read it, with its task.
pub struct Case<'a> {
    /// The stored sweep.
    pub run: &'a SweepRun,
    /// Its anchor LR for each shape of each family (`[family][shape]`).
    pub anchors: Vec<Vec<Option<f64>>>,
    /// Whether its task trains with SGD (else Adam or AdamW).
    pub sgd: bool,
}

impl<'a> Case<'a> {
    /// Reads every family's anchors from `run`'s curve as stored, or with
    /// the raw losses dropped when `smoothed_only` (the rules then see what
    /// a user who logged only fastai's running average has). `sgd`: whether
    /// its task trains with SGD.
    pub fn new(run: &'a SweepRun, families: &[Family], smoothed_only: bool, sgd: bool) -> Case<'a> {
        let curve = if smoothed_only {
            SweepCurve {
                lrs: run.curve.lrs.clone(),
                losses: run.curve.losses.iter().map(|&l| l as f32 as f64).collect(),
                raw_losses: Vec::new(),
            }
        } else {
            run.curve.clone()
        };
        let test = SweepRun {
            curve,
            ..run.clone()
        }
        .range_test();
        let anchors = families
            .iter()
            .map(|f| {
                f.shapes
                    .iter()
                    .map(|(_, anchor)| rule::anchor(&test, *anchor, rule::FASTAI_SMOOTHING))
                    .collect()
            })
            .collect();
        Case { run, anchors, sgd }
    }
}

/// A family's constants: a shape, a divisor per schedule, and the length
/// exponent.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Index into the family's shapes.
    pub shape: usize,
    /// The divisor of each schedule.
    pub divisors: Vec<f64>,
    /// The divisor of each schedule for SGD, when the family fits it apart.
    pub sgd_divisors: Option<Vec<f64>>,
    /// The exponent `beta` of `(N / N0)^-beta` (0 for families without the length).
    pub beta: f64,
}

impl Fitted {
    /// The constants in words.
    pub fn label(&self, family: &Family) -> String {
        let k = |divisors: &[f64]| {
            let k: Vec<String> = divisors.iter().map(|k| format!("k {k:.3}")).collect();
            k.join(" / ")
        };
        let k = match &self.sgd_divisors {
            Some(sgd) => format!("Adam {}, SGD {}", k(&self.divisors), k(sgd)),
            None => k(&self.divisors),
        };
        let beta = if family.horizon {
            format!("; beta {:.3}", self.beta)
        } else {
            String::new()
        };
        format!("{}; {k}{beta}", family.shapes[self.shape].0)
    }

    /// The suggestion for a run of `updates` from the anchor LR: lowered
    /// for runs longer than [`REFERENCE_UPDATES`], never raised for shorter
    /// ones (their warmups are shorter too, and on the benchmark some tasks
    /// collapse at lower LRs in shorter runs).
    /// `sgd` picks the SGD divisors where the family has them.
    pub fn suggest(&self, anchor: f64, schedule: usize, sgd: bool, updates: u64) -> f64 {
        let divisors = match &self.sgd_divisors {
            Some(d) if sgd => d,
            _ => &self.divisors,
        };
        anchor / divisors[schedule] * horizon_factor(updates.max(REFERENCE_UPDATES), self.beta)
    }
}

/// The bands by schedule (outer) and (task, length) (inner).
pub type Bands<'a> = &'a [Vec<Band>];

/// Scores family `f` with `fitted` constants on `cases`, against the bands
/// of schedule `schedule` whose length passes `lengths`, with the fit's
/// `margin` below the collapse LR.
pub fn score(
    f: usize,
    margin: f64,
    fitted: &Fitted,
    cases: &[&Case],
    bands: &[Band],
    schedule: usize,
    lengths: &dyn Fn(u64) -> bool,
) -> Score {
    let mut score = Score::default();
    for case in cases {
        let anchor = case.anchors[f][fitted.shape];
        for band in bands
            .iter()
            .filter(|b| b.task == case.run.task && lengths(b.updates))
        {
            score.add(
                band,
                anchor.map(|a| fitted.suggest(a, schedule, case.sgd, band.updates)),
                margin,
            );
        }
    }
    score
}

/// The length exponent of the bands: for each task, the least-squares slope
/// of the log band centre against the log length, negated; the median over
/// tasks, and every task's value.
pub fn fit_beta(bands: &[Band], tasks: &dyn Fn(&str) -> bool) -> (f64, Vec<(String, f64)>) {
    let mut names: Vec<&str> = bands.iter().map(|b| b.task.as_str()).collect();
    names.dedup();
    let per_task: Vec<(String, f64)> = names
        .into_iter()
        .filter(|t| tasks(t))
        .filter_map(|task| {
            let points: Vec<(f64, f64)> = bands
                .iter()
                .filter(|b| b.task == task)
                .map(|b| {
                    let (low, high) = b.range();
                    ((b.updates as f64).ln(), 0.5 * (low.ln() + high.ln()))
                })
                .collect();
            (points.len() >= 2).then(|| (task.to_string(), -slope(&points)))
        })
        .collect();
    let mut values: Vec<f64> = per_task.iter().map(|(_, b)| *b).collect();
    values.sort_by(f64::total_cmp);
    let median = match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => 0.5 * (values[n / 2 - 1] + values[n / 2]),
    };
    (median, per_task)
}

fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx > 0.0 { sxy / sxx } else { 0.0 }
}

/// The constants that score best on `cases` against the bands whose task
/// and length pass the filters: beta from the bands (families with the
/// length), then for each shape the best divisor of each schedule, then
/// the shape with the best total.
pub fn fit(
    families: &[Family],
    f: usize,
    cases: &[&Case],
    schedules: Bands,
    tasks: &dyn Fn(&str) -> bool,
    lengths: &dyn Fn(u64) -> bool,
) -> Fitted {
    let family = &families[f];
    // The length exponent is measured on the bands (the median slope of the
    // fitting tasks), and the divisors are fitted at the reference length
    // and below, where the exponent does not act: the longer runs judge it.
    let betas: Vec<f64> = if family.horizon {
        let fitting: Vec<Band> = schedules[0]
            .iter()
            .filter(|b| tasks(&b.task) && lengths(b.updates))
            .cloned()
            .collect();
        vec![fit_beta(&fitting, &|_| true).0]
    } else {
        vec![0.0]
    };
    let fitted_lengths = |n: u64| lengths(n) && (!family.horizon || n <= REFERENCE_UPDATES);
    let lengths: &dyn Fn(u64) -> bool = &fitted_lengths;
    let mut best: Option<(Fitted, (i64, std::cmp::Reverse<u64>))> = None;
    for (&beta, shape) in betas
        .iter()
        .flat_map(|b| (0..family.shapes.len()).map(move |s| (b, s)))
    {
        let mut total = (0, 0u64);
        // One set of divisors for every task, or one for the adaptive
        // optimizers' tasks and one for SGD's.
        let classes: Vec<Option<bool>> = if family.per_optimizer {
            vec![Some(false), Some(true)]
        } else {
            vec![None]
        };
        let mut per_class = Vec::new();
        for class in classes {
            let members: Vec<&Case> = cases
                .iter()
                .copied()
                .filter(|c| class.is_none_or(|sgd| c.sgd == sgd))
                .collect();
            let mut divisors = Vec::new();
            for (s, bands) in schedules.iter().enumerate() {
                let (k, objective) = family
                    .divisors
                    .iter()
                    .map(|&k| {
                        let mut trial = Fitted {
                            shape,
                            divisors: vec![1.0; schedules.len()],
                            sgd_divisors: None,
                            beta,
                        };
                        trial.divisors[s] = k;
                        (
                            k,
                            score(f, family.margin, &trial, &members, bands, s, lengths)
                                .objective(),
                        )
                    })
                    .max_by_key(|(_, o)| *o)
                    .unwrap_or((1.0, (0, std::cmp::Reverse(0))));
                total.0 += objective.0;
                total.1 += objective.1.0;
                divisors.push(k);
            }
            per_class.push(divisors);
        }
        let sgd_divisors = (per_class.len() == 2).then(|| per_class.pop()).flatten();
        let divisors = per_class.pop().unwrap_or_default();
        let objective = (total.0, std::cmp::Reverse(total.1));
        if best.as_ref().is_none_or(|(_, o)| objective > *o) {
            best = Some((
                Fitted {
                    shape,
                    divisors,
                    sgd_divisors,
                    beta,
                },
                objective,
            ));
        }
    }
    best.map_or(
        Fitted {
            shape: 0,
            divisors: vec![1.0; schedules.len()],
            sgd_divisors: None,
            beta: 0.0,
        },
        |(f, _)| f,
    )
}

/// Scores by schedule (outer) and length (inner, [`LENGTHS`] order).
pub type Table = Vec<Vec<Score>>;

fn empty_table(schedules: usize) -> Table {
    vec![vec![Score::default(); LENGTHS.len()]; schedules]
}

fn add_table(total: &mut Table, part: &Table) {
    for (t, p) in total.iter_mut().flatten().zip(part.iter().flatten()) {
        t.merge(p);
    }
}

/// A family's held-out result.
#[derive(Debug, Clone)]
pub struct HeldOut {
    /// Per fold (a task, or a length): its name, the constants fitted
    /// without it, and its scores with them.
    pub folds: Vec<(String, Fitted, Table)>,
    /// All held-out scores together.
    pub total: Table,
}

impl HeldOut {
    /// Hits in the band minus [`COLLAPSE_COST`] per suggestion at or above
    /// the collapse LR, over every schedule and length (the held-out score
    /// families are ranked by; the fit also keeps its margin).
    pub fn objective(&self) -> i64 {
        self.total
            .iter()
            .flatten()
            .map(|s| s.in_band as i64 - COLLAPSE_COST * s.collapses as i64)
            .sum()
    }

    /// All lengths together, for schedule `s`.
    pub fn schedule(&self, s: usize) -> Score {
        let mut total = Score::default();
        for score in &self.total[s] {
            total.merge(score);
        }
        total
    }
}

fn table(
    f: usize,
    margin: f64,
    fitted: &Fitted,
    cases: &[&Case],
    schedules: Bands,
    keep: &dyn Fn(u64) -> bool,
) -> Table {
    schedules
        .iter()
        .enumerate()
        .map(|(s, bands)| {
            LENGTHS
                .iter()
                .map(|&n| score(f, margin, fitted, cases, bands, s, &|m| m == n && keep(m)))
                .collect()
        })
        .collect()
}

/// For each task, fits family `f` on the other tasks' curves (every length)
/// and scores the constants on this task's curves at every length.
pub fn leave_one_task_out(
    families: &[Family],
    f: usize,
    cases: &[Case],
    schedules: Bands,
) -> HeldOut {
    per_task(families, f, cases, schedules, false)
}

/// For each task, fits family `f` on this task's own curves and bands and
/// scores it there: what the family could reach if its constants could be
/// chosen per task (an upper bound on [`leave_one_task_out`]; what it loses
/// below this bound is the spread between tasks, what this bound misses is
/// the spread between one task's curves and the grid's noise).
pub fn each_task_on_itself(
    families: &[Family],
    f: usize,
    cases: &[Case],
    schedules: Bands,
) -> HeldOut {
    per_task(families, f, cases, schedules, true)
}

/// One fold per task, fitted on that task alone (`itself`) or on the others.
fn per_task(
    families: &[Family],
    f: usize,
    cases: &[Case],
    schedules: Bands,
    itself: bool,
) -> HeldOut {
    let mut tasks: Vec<&str> = schedules[0].iter().map(|b| b.task.as_str()).collect();
    tasks.dedup();
    let mut total = empty_table(schedules.len());
    let folds = tasks
        .into_iter()
        .map(|task| {
            let fitting = |t: &str| (t == task) == itself;
            let fitted_on: Vec<&Case> = cases.iter().filter(|c| fitting(&c.run.task)).collect();
            let mine: Vec<&Case> = cases.iter().filter(|c| c.run.task == task).collect();
            let fitted = fit(families, f, &fitted_on, schedules, &fitting, &|_| true);
            let held = table(f, families[f].margin, &fitted, &mine, schedules, &|_| true);
            add_table(&mut total, &held);
            (task.to_string(), fitted, held)
        })
        .collect();
    HeldOut { folds, total }
}

/// For each length, fits family `f` on the other lengths (every task) and
/// scores the constants at this length; warmup + cosine only (the first
/// schedule: the grid trains the others at one length).
pub fn leave_one_length_out(
    families: &[Family],
    f: usize,
    cases: &[Case],
    schedules: Bands,
) -> HeldOut {
    let schedules = &schedules[..1];
    let all: Vec<&Case> = cases.iter().collect();
    let mut total = empty_table(schedules.len());
    let folds = LENGTHS
        .iter()
        .map(|&n| {
            let fitted = fit(families, f, &all, schedules, &|_| true, &|m| m != n);
            let held = table(f, families[f].margin, &fitted, &all, schedules, &|m| m == n);
            add_table(&mut total, &held);
            (format!("{n} updates"), fitted, held)
        })
        .collect();
    HeldOut { folds, total }
}

/// Family `f`'s constants fitted on every task and length, with their table.
pub fn fit_all(families: &[Family], f: usize, cases: &[Case], schedules: Bands) -> (Fitted, Table) {
    let all: Vec<&Case> = cases.iter().collect();
    let fitted = fit(families, f, &all, schedules, &|_| true, &|_| true);
    let table = table(f, families[f].margin, &fitted, &all, schedules, &|_| true);
    (fitted, table)
}
