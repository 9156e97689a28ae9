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
    private int[] _lRow = [], _uRow = [];
    private double[] _lVal = [], _uVal = [];
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

    /// <summary>Non-zeros of J off the diagonal, after a successful <see cref="Load"/>.</summary>
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
        if (_aRow.Length < count)
        {
            _aRow = new int[count];
            _aVal = new double[count];
        }
        int p = 0;
        for (int j = 0; j < n; j++)
        {
            _aStart[j] = p;
            int cj = j * n;
            for (int i = 0; i < n; i++)
            {
                double v = jac[cj + i];
                if (i == j)
                {
                    _negDiag[j] = -v;
                }
                else if (v != 0)
                {
                    // The dense W's entry is −J[i, j]: the same negation, so the same number.
                    _aRow[p] = i;
                    _aVal[p++] = -v;
                }
            }
        }
        _aStart[n] = p;
        OffDiagonalNonZeros = count;
        return true;
    }

    /// <summary>
    /// Factors W = −J + shift·I (the diagonal formed as (−J[j,j]) + shift, as the dense W is). Returns false when the factor would
    /// leave the arguments that make it equal to the dense one (a non-finite value or a zero pivot): then factor densely.
    /// </summary>
    public bool Factor(double shift)
    {
        int n = _n;
        if (!double.IsFinite(shift)) return false;
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
            int[] lRow = _lRow, uRow = _uRow;
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
                if (x == 0) continue;
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
                if (pinv[r] < 0 && a[r] != 0)
                {
                    lRow[lp] = r;
                    lVal[lp++] = a[r] / pivot;
                }
                a[r] = 0;
                s[r] = 0;
                inColumn[r] = false;
            }
        }
        lStart[n] = lp;
        uStart[n] = up;
        // L's rows move with the dense row swaps: its final positions are the rows' final positions.
        int[] lr = _lRow;
        for (int q = 0; q < lp; q++) lr[q] = pos[lr[q]];
        return true;
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
        for (int k = 0; k < n; k++)
        {
            double bk = b[k];
            if (bk == 0) continue;
            int qEnd = lStart[k + 1];
            for (int q = lStart[k]; q < qEnd; q++) b[lRow[q]] -= bk * lVal[q];
        }
        for (int k = n - 1; k >= 0; k--)
        {
            double bk = b[k] / uDiag[k];
            b[k] = bk;
            if (bk == 0) continue;
            int qEnd = uStart[k + 1];
            for (int q = uStart[k]; q < qEnd; q++) b[uRow[q]] -= bk * uVal[q];
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
