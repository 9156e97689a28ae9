using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Engine.LinearAlgebra;

/// <summary>
/// LU with partial pivoting of W = shift·I − J for a sparse J (Rodas4's iteration matrix I/(hγ) − J), giving the numbers of
/// <see cref="DenseLu"/> on the dense W: the same pivots, the same non-zero factor entries and the same solutions, bit for bit (up
/// to the sign of an exact zero, which no later operation reads). A sheaf Laplacian in a deep stack has about seven non-zeros per row
/// and its factors about as many per column, so the dense factor's O(n²) per step (clearing, copying and scanning zeros) is most of
/// its cost; here the work is proportional to the non-zeros.
/// <para>
/// Why the numbers agree: the dense left-looking factor forms every entry as a − s with s = Σ_k L[i,k]·U[k,j] summed from +0 in
/// increasing k, and a product with a zero factor adds ±0, which leaves a sum that starts at +0 unchanged (it is never −0); so the
/// sum over the structurally non-zero terms, still in increasing k, is the same number. Its pivot is the first row (by current
/// position) of largest magnitude, which is tracked here with the row positions the dense row swaps produce. The solves skip the
/// same zero terms. Anything outside these arguments — a non-finite entry, a zero pivot, a non-finite right-hand side — is
/// reported (<see cref="Factor"/> or <see cref="Solve"/> returns false) so that the caller takes the dense path.
/// </para>
/// Not thread-safe; allocation-free after the first factorizations of a pattern.
/// </summary>
internal sealed class ShiftedSparseLu
{
    private readonly int _n;

    // −J off the diagonal, by column (rows in any order), and −J's diagonal.
    private readonly int[] _aStart;
    private int[] _aRow = [];
    private double[] _aVal = [];
    private readonly double[] _negDiag;

    // Factors: L by column (original rows while factoring, final positions after), U by column (steps, increasing), U's diagonal.
    private readonly int[] _lStart, _uStart;
    private int[] _lRow = [], _uRow = [], _lOrig = [];
    private double[] _lVal = [], _uVal = [];

    // The factors' structure (every entry the column reaches, numerically zero or not) and pivot sequence of the last full
    // factorization of this J: a factorization whose pivots come out the same can replay it without the symbolic bookkeeping.
    private bool _structureValid;
    private readonly double[] _uDiag;
    private readonly int[] _ipiv;

    // Row bookkeeping: pivot step of an original row (−1: not yet), original row at a position, position of an original row.
    private readonly int[] _pinv, _origAt, _pos, _pivRow;

    // Work: the column's values and sums by original row, rows touched, pending steps.
    private readonly double[] _a, _s;
    private readonly bool[] _inColumn, _pending;
    private readonly int[] _touched;

    /// <summary>Creates the factorization workspace for order <paramref name="n"/>.</summary>
    public ShiftedSparseLu(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        _n = n;
        _aStart = new int[n + 1];
        _negDiag = new double[n];
        _lStart = new int[n + 1];
        _uStart = new int[n + 1];
        _uDiag = new double[n];
        _ipiv = new int[n];
        _pinv = new int[n];
        _origAt = new int[n];
        _pos = new int[n];
        _pivRow = new int[n];
        _a = new double[n];
        _s = new double[n];
        _inColumn = new bool[n];
        _pending = new bool[n];
        _touched = new int[n];
    }

    /// <summary>The row interchanges of the last successful <see cref="Factor"/>, as <see cref="DenseLu.Factor"/> gives them.</summary>
    public ReadOnlySpan<int> Pivots => _ipiv;

    /// <summary>Factorizations that replayed the recorded structure (the rest ran the full symbolic and numeric factorization).</summary>
    public long Replays { get; private set; }

    /// <summary>Full factorizations (the first of each J, and those whose pivots differed from the recorded ones).</summary>
    public long FullFactorizations { get; private set; }

    /// <summary>Non-zeros of J off the diagonal, after a successful <c>Load</c>.</summary>
    public int OffDiagonalNonZeros { get; private set; }

    /// <summary>
    /// Takes J (column-major n×n, as the dense iteration matrix is built from). Returns false — the caller then keeps the dense
    /// factor — when J has a non-finite entry or more than <paramref name="maxDensity"/> of its off-diagonal entries are non-zero.
    /// </summary>
    public bool Load(double[] jac, double maxDensity = 0.125)
    {
        ArgumentNullException.ThrowIfNull(jac);
        int n = _n;
        if (jac.Length != n * n) throw new ArgumentException("ShiftedSparseLu.Load: J must be n×n.", nameof(jac));
        int count = 0;
        long limit = (long)(maxDensity * n * (double)n);
        for (int j = 0; j < n; j++)
        {
            int cj = j * n;
            for (int i = 0; i < n; i++)
            {
                double v = jac[cj + i];
                if (!double.IsFinite(v)) return false;
                if (i != j && v != 0 && ++count > limit) return false;
            }
        }
        Reserve(count);
        int p = 0;
        for (int j = 0; j < n; j++)
        {
            _aStart[j] = p;
            int cj = j * n;
            // The dense W's entry is −J[i, j]: the same negation, so the same number.
            for (int i = 0; i < n; i++) Store(i, j, jac[cj + i], ref p);
        }
        Finish(p, count);
        return true;
    }

    /// <summary>
    /// Takes J by columns: the same as <see cref="Load(double[], double)"/> on J's dense form (the same stored entries, in the same
    /// order, and the same refusals), at a cost proportional to the entries listed.
    /// </summary>
    public bool Load(SparseColumns jac, double maxDensity = 0.125)
    {
        ArgumentNullException.ThrowIfNull(jac);
        int n = _n;
        if (jac.Dimension != n) throw new ArgumentException("ShiftedSparseLu.Load: J must be n×n.", nameof(jac));
        int[] starts = jac.ColumnStarts, rows = jac.Rows;
        double[] values = jac.Values;
        int count = 0;
        long limit = (long)(maxDensity * n * (double)n);
        for (int j = 0; j < n; j++)
        {
            for (int q = starts[j]; q < starts[j + 1]; q++)
            {
                double v = values[q];
                if (!double.IsFinite(v)) return false;
                if (rows[q] != j && v != 0 && ++count > limit) return false;
            }
        }
        Reserve(count);
        int p = 0;
        for (int j = 0; j < n; j++)
        {
            _aStart[j] = p;
            for (int q = starts[j]; q < starts[j + 1]; q++) Store(rows[q], j, values[q], ref p);
        }
        Finish(p, count);
        return true;
    }

    private void Reserve(int count)
    {
        if (_aRow.Length >= count) return;
        _aRow = new int[count];
        _aVal = new double[count];
    }

    // Entry (i, j) of J into −J's storage: the diagonal always, off the diagonal only non-zeros (an exact zero, of either sign,
    // is no entry of the factor's structure).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(int i, int j, double v, ref int p)
    {
        if (i == j)
        {
            _negDiag[j] = -v;
        }
        else if (v != 0)
        {
            _aRow[p] = i;
            _aVal[p++] = -v;
        }
    }

    private void Finish(int entries, int count)
    {
        _aStart[_n] = entries;
        OffDiagonalNonZeros = count;
        _structureValid = false;
    }

    /// <summary>
    /// Factors W = −J + shift·I (the diagonal formed as (−J[j,j]) + shift, as the dense W is). Returns false when the factor would
    /// leave the arguments that make it equal to the dense one (a non-finite value or a zero pivot): then factor densely.
    /// </summary>
    public bool Factor(double shift)
    {
        if (!double.IsFinite(shift)) return false;
        if (_structureValid)
        {
            var replay = Replay(shift);
            if (replay == ReplayOutcome.Done)
            {
                Replays++;
                return true;
            }
            if (replay == ReplayOutcome.Refused) return false;
        }
        FullFactorizations++;
        _structureValid = FactorFull(shift);
        return _structureValid;
    }

    // The symbolic and numeric factorization, recording the structure: every pivot step a column reaches is an entry of U and
    // every non-pivotal row it reaches an entry of L, numerically zero or not (a zero adds ±0 to a sum that is never −0 and so
    // changes nothing), so the structure depends on the pivot sequence only and a later replay with the same pivots reaches no
    // entry outside it.
    private bool FactorFull(double shift)
    {
        int n = _n;
        // Locals, not fields, in the loops: the JIT keeps them in registers and drops repeated loads.
        int[] pinv = _pinv, origAt = _origAt, pos = _pos, pivRow = _pivRow, touched = _touched;
        int[] aStart = _aStart, aRow = _aRow, lStart = _lStart, uStart = _uStart;
        double[] a = _a, s = _s, aVal = _aVal, negDiag = _negDiag, uDiag = _uDiag;
        bool[] inColumn = _inColumn, pending = _pending;
        for (int i = 0; i < n; i++)
        {
            pinv[i] = -1;
            origAt[i] = i;
            pos[i] = i;
        }
        int lp = 0, up = 0;
        for (int j = 0; j < n; j++)
        {
            lStart[j] = lp;
            uStart[j] = up;
            // Column j adds at most j entries to U and n − 1 − j to L.
            EnsureU(up + j);
            EnsureL(lp + n - j);
            int[] lRow = _lOrig, uRow = _uRow;
            double[] lVal = _lVal, uVal = _uVal;
            int nt = 0, kmin = n, kmax = -1;
            // Scatter column j of W (original rows; its diagonal is original row j).
            for (int q = aStart[j]; q < aStart[j + 1]; q++)
            {
                int r = aRow[q];
                a[r] = aVal[q];
                inColumn[r] = true;
                touched[nt++] = r;
            }
            a[j] = negDiag[j] + shift;
            inColumn[j] = true;
            touched[nt++] = j;
            for (int t = 0; t < nt; t++)
            {
                int k = pinv[touched[t]];
                if (k < 0) continue;
                pending[k] = true;
                if (k < kmin) kmin = k;
                if (k > kmax) kmax = k;
            }
            // U[k, j] for the pivot steps k < j the column reaches, in increasing k (the order the dense sums are formed in).
            for (int k = kmin; k <= kmax; k++)
            {
                if (!pending[k]) continue;
                pending[k] = false;
                int r = pivRow[k];
                double x = a[r] - s[r];
                if (!double.IsFinite(x)) return Abandon(nt, kmax);
                uRow[up] = k;
                uVal[up++] = x;
                int qEnd = lStart[k + 1];
                for (int q = lStart[k]; q < qEnd; q++)
                {
                    int rr = lRow[q];
                    if (!inColumn[rr])
                    {
                        inColumn[rr] = true;
                        touched[nt++] = rr;
                        int kk = pinv[rr];
                        if (kk >= 0)
                        {
                            pending[kk] = true;
                            if (kk > kmax) kmax = kk;
                        }
                    }
                    s[rr] += lVal[q] * x;
                }
            }
            // The remaining rows: a − s, the pivot (first position of largest magnitude), and L's column.
            double maxAbs = 0;
            for (int t = 0; t < nt; t++)
            {
                int r = touched[t];
                if (pinv[r] >= 0) continue;
                double v = a[r] - s[r];
                if (!double.IsFinite(v)) return Abandon(nt, -1);
                a[r] = v;
                double m = Math.Abs(v);
                if (m > maxAbs) maxAbs = m;
            }
            int p = j;
            if (maxAbs > 0)
            {
                p = n;
                for (int t = 0; t < nt; t++)
                {
                    int r = touched[t];
                    if (pinv[r] < 0 && Math.Abs(a[r]) == maxAbs && pos[r] < p) p = pos[r];
                }
            }
            _ipiv[j] = p;
            if (p != j)
            {
                int rj = origAt[j], rpv = origAt[p];
                origAt[j] = rpv;
                origAt[p] = rj;
                pos[rpv] = j;
                pos[rj] = p;
            }
            int pr = origAt[j];
            double pivot = inColumn[pr] ? a[pr] : 0.0;
            if (pivot == 0) return Abandon(nt, -1);
            pinv[pr] = j;
            pivRow[j] = pr;
            uDiag[j] = pivot;
            for (int t = 0; t < nt; t++)
            {
                int r = touched[t];
                if (pinv[r] < 0)
                {
                    double l = a[r] / pivot;
                    if (!double.IsFinite(l)) return Abandon(nt, -1);
                    lRow[lp] = r;
                    lVal[lp++] = l;
                }
                a[r] = 0;
                s[r] = 0;
                inColumn[r] = false;
            }
        }
        lStart[n] = lp;
        uStart[n] = up;
        // L's rows move with the dense row swaps: its final positions are the rows' final positions.
        int[] lo = _lOrig, lr = _lRow;
        for (int q = 0; q < lp; q++) lr[q] = pos[lo[q]];
        return true;
    }

    private enum ReplayOutcome
    {
        Done,
        PivotsDiffer,
        Refused,
    }

    // The numeric factorization on the recorded structure: the same operations as FactorFull in the same order, without its
    // symbolic bookkeeping. Each column's pivot is checked against the dense rule (first position of largest magnitude among the
    // rows it reaches); a different pivot ends the replay and the full factorization runs instead.
    private ReplayOutcome Replay(double shift)
    {
        int n = _n;
        int[] origAt = _origAt, pos = _pos, pivRow = _pivRow;
        int[] aStart = _aStart, aRow = _aRow, lStart = _lStart, uStart = _uStart, lOrig = _lOrig, uRow = _uRow;
        double[] a = _a, s = _s, aVal = _aVal, negDiag = _negDiag, uDiag = _uDiag, lVal = _lVal, uVal = _uVal;
        // The recorded rows are < n: the innermost loop reads through references, unchecked.
        ref double s0 = ref MemoryMarshal.GetArrayDataReference(s);
        ref int lo0 = ref MemoryMarshal.GetArrayDataReference(lOrig);
        ref double lv0 = ref MemoryMarshal.GetArrayDataReference(lVal);
        for (int i = 0; i < n; i++)
        {
            origAt[i] = i;
            pos[i] = i;
        }
        for (int j = 0; j < n; j++)
        {
            for (int q = aStart[j]; q < aStart[j + 1]; q++) a[aRow[q]] = aVal[q];
            a[j] = negDiag[j] + shift;
            int uEnd = uStart[j + 1];
            for (int q = uStart[j]; q < uEnd; q++)
            {
                int k = uRow[q];
                int r = pivRow[k];
                double x = a[r] - s[r];
                if (!double.IsFinite(x)) return ClearReplay(j);
                // Row r is pivotal (step k): no later step of this column reaches it, so its work entries are done with.
                a[r] = 0;
                s[r] = 0;
                uVal[q] = x;
                int qEnd = lStart[k + 1];
                for (int t = lStart[k]; t < qEnd; t++) Unsafe.Add(ref s0, Unsafe.Add(ref lo0, t)) += Unsafe.Add(ref lv0, t) * x;
            }
            // The candidates: the recorded pivot row and the rows of L's column j. The dense pivot is the first position of largest
            // magnitude; the recorded one must be it.
            int pr = pivRow[j], lBegin = lStart[j], lEnd = lStart[j + 1];
            double pv = a[pr] - s[pr];
            if (!double.IsFinite(pv)) return ClearReplay(j);
            double maxAbs = Math.Abs(pv);
            int ppos = pos[pr], firstPos = ppos;
            for (int t = lBegin; t < lEnd; t++)
            {
                int r = lOrig[t];
                double v = a[r] - s[r];
                if (!double.IsFinite(v)) return ClearReplay(j);
                a[r] = v;
                double m = Math.Abs(v);
                if (m > maxAbs)
                {
                    maxAbs = m;
                    firstPos = pos[r];
                }
                else if (m == maxAbs && pos[r] < firstPos)
                {
                    firstPos = pos[r];
                }
            }
            if (pv == 0 || Math.Abs(pv) != maxAbs || firstPos != ppos) return ClearReplay(j, ReplayOutcome.PivotsDiffer);
            // ppos is the dense pivot position: the recorded interchange.
            if (ppos != j)
            {
                int rj = origAt[j];
                origAt[j] = pr;
                origAt[ppos] = rj;
                pos[pr] = j;
                pos[rj] = ppos;
            }
            uDiag[j] = pv;
            for (int t = lBegin; t < lEnd; t++)
            {
                int r = lOrig[t];
                double l = a[r] / pv;
                if (!double.IsFinite(l)) return ClearReplay(j);
                lVal[t] = l;
                a[r] = 0;
                s[r] = 0;
            }
            a[pr] = 0;
            s[pr] = 0;
        }
        return ReplayOutcome.Done;
    }

    // Clears the work vectors of column j (the rows its recorded structure reaches) after a replay ended there.
    private ReplayOutcome ClearReplay(int j, ReplayOutcome outcome = ReplayOutcome.Refused)
    {
        for (int q = _uStart[j]; q < _uStart[j + 1]; q++)
        {
            int r = _pivRow[_uRow[q]];
            _a[r] = 0;
            _s[r] = 0;
        }
        for (int t = _lStart[j]; t < _lStart[j + 1]; t++)
        {
            _a[_lOrig[t]] = 0;
            _s[_lOrig[t]] = 0;
        }
        _a[_pivRow[j]] = 0;
        _s[_pivRow[j]] = 0;
        for (int q = _aStart[j]; q < _aStart[j + 1]; q++) _a[_aRow[q]] = 0;
        _a[j] = 0;
        _structureValid = outcome != ReplayOutcome.Refused && _structureValid;
        return outcome;
    }

    /// <summary>
    /// Solves W x = b in place with the last successful <see cref="Factor"/>. Returns false, leaving b unchanged, when b has a
    /// non-finite entry (the dense solve spreads it through every zero of the factors; the caller solves densely then).
    /// </summary>
    public bool Solve(double[] b)
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = _n;
        if (b.Length != n) throw new ArgumentException("ShiftedSparseLu.Solve: b must have length n.", nameof(b));
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(b[i])) return false;
        }
        int[] ipiv = _ipiv, lStart = _lStart, lRow = _lRow, uStart = _uStart, uRow = _uRow;
        double[] lVal = _lVal, uVal = _uVal, uDiag = _uDiag;
        for (int i = 0; i < n; i++)
        {
            int p = ipiv[i];
            if (p != i) (b[p], b[i]) = (b[i], b[p]);
        }
        // The indices come from the factorization (rows and steps < n), so the loops read through references, unchecked.
        ref double b0 = ref MemoryMarshal.GetArrayDataReference(b);
        ref int lr0 = ref MemoryMarshal.GetArrayDataReference(lRow);
        ref double lv0 = ref MemoryMarshal.GetArrayDataReference(lVal);
        ref int ur0 = ref MemoryMarshal.GetArrayDataReference(uRow);
        ref double uv0 = ref MemoryMarshal.GetArrayDataReference(uVal);
        for (int k = 0; k < n; k++)
        {
            double bk = Unsafe.Add(ref b0, k);
            if (bk == 0) continue;
            int qEnd = lStart[k + 1];
            for (int q = lStart[k]; q < qEnd; q++) Unsafe.Add(ref b0, Unsafe.Add(ref lr0, q)) -= bk * Unsafe.Add(ref lv0, q);
        }
        for (int k = n - 1; k >= 0; k--)
        {
            double bk = Unsafe.Add(ref b0, k) / uDiag[k];
            Unsafe.Add(ref b0, k) = bk;
            if (bk == 0) continue;
            int qEnd = uStart[k + 1];
            for (int q = uStart[k]; q < qEnd; q++) Unsafe.Add(ref b0, Unsafe.Add(ref ur0, q)) -= bk * Unsafe.Add(ref uv0, q);
        }
        return true;
    }

    // Leaves the work vectors clean after a factorization given up part-way through a column.
    private bool Abandon(int touched, int kmax)
    {
        for (int t = 0; t < touched; t++)
        {
            int r = _touched[t];
            _a[r] = 0;
            _s[r] = 0;
            _inColumn[r] = false;
        }
        for (int k = 0; k <= kmax; k++) _pending[k] = false;
        return false;
    }

    private void EnsureL(int size)
    {
        if (_lRow.Length >= size) return;
        int cap = Math.Max(size, Math.Max(16, 2 * _lRow.Length));
        Array.Resize(ref _lRow, cap);
        Array.Resize(ref _lOrig, cap);
        Array.Resize(ref _lVal, cap);
    }

    private void EnsureU(int size)
    {
        if (_uRow.Length >= size) return;
        int cap = Math.Max(size, Math.Max(16, 2 * _uRow.Length));
        Array.Resize(ref _uRow, cap);
        Array.Resize(ref _uVal, cap);
    }
}
