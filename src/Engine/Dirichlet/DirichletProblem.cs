using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using ResidualSheaf.Engine.LinearAlgebra;
using ResidualSheaf.Engine.Sheaves;

namespace ResidualSheaf.Engine.Dirichlet;

/// <summary>
/// The pinned Dirichlet problem of a sheaf: coordinates U are held by <see cref="Pins"/>, the rest (Ω) are free.
/// δc = 0 with c_U fixed ⇔ δ_Ω c_Ω = b̃ with b̃ = β − δ_U c_U.
/// </summary>
public sealed class DirichletProblem
{
    private readonly int[] _freeIndex;

    /// <summary>Creates the problem; every pinned coordinate must exist in the sheaf.</summary>
    public DirichletProblem(CellularSheaf sheaf, PinSet pins)
    {
        Sheaf = sheaf;
        Pins = pins;
        _freeIndex = new int[sheaf.TotalDimension];
        foreach (var (j, _) in pins.Values)
        {
            if (j < 0 || j >= sheaf.TotalDimension)
                throw new ArgumentOutOfRangeException(nameof(pins), $"pinned coordinate {j} outside the sheaf (dimension {sheaf.TotalDimension})");
            _freeIndex[j] = -1;
        }
        var free = new int[sheaf.TotalDimension - pins.Values.Count];
        for (int j = 0, k = 0; j < sheaf.TotalDimension; j++)
        {
            if (_freeIndex[j] < 0) continue;
            _freeIndex[j] = k;
            free[k++] = j;
        }
        FreeCoordinates = free;
    }

    /// <summary>The sheaf.</summary>
    public CellularSheaf Sheaf { get; }

    /// <summary>The boundary U with its values.</summary>
    public PinSet Pins { get; }

    /// <summary>Global indices of the free coordinates Ω, in increasing (vertex) order: the column order of δ_Ω.</summary>
    public IReadOnlyList<int> FreeCoordinates { get; }

    /// <summary>Column of δ_Ω for a global coordinate, or −1 if it is pinned.</summary>
    public int FreeIndex(int globalCoordinate) => _freeIndex[globalCoordinate];

    /// <summary>A global cochain holding the pins and zeros elsewhere.</summary>
    public double[] PinnedCochain()
    {
        var c = new double[Sheaf.TotalDimension];
        Pins.Apply(c);
        return c;
    }

    /// <summary>Scatters free values into a global cochain that already holds the pins.</summary>
    public double[] Embed(ReadOnlySpan<double> free)
    {
        if (free.Length != FreeCoordinates.Count) throw new ArgumentException("free vector length differs from |Ω|");
        var c = PinnedCochain();
        for (int k = 0; k < free.Length; k++) c[FreeCoordinates[k]] = free[k];
        return c;
    }

    /// <summary>Gathers the free values of a global cochain.</summary>
    public double[] Restrict(ReadOnlySpan<double> cochain)
    {
        var f = new double[FreeCoordinates.Count];
        for (int k = 0; k < f.Length; k++) f[k] = cochain[FreeCoordinates[k]];
        return f;
    }

    /// <summary>b̃ = β − δ_U c_U under the given masks (masks on pinned mask coordinates come from the pattern too).</summary>
    public double[] BoundaryTerm(MaskPattern masks)
    {
        var r = new double[Sheaf.EdgeDimension];
        Coboundary.Apply(Sheaf, PinnedCochain(), masks, r);
        for (int i = 0; i < r.Length; i++) r[i] = -r[i];
        return r;
    }

    /// <summary>δ_Ω: the columns of δ on the free coordinates, as a sparse matrix.</summary>
    public SparseMatrix FreeCoboundary(MaskPattern masks)
    {
        var full = Coboundary.Assemble(Sheaf, masks);
        var entries = new List<Tuple<int, int, double>>();
        foreach (var (i, j, v) in full.EnumerateIndexed(Zeros.AllowSkip))
            if (_freeIndex[j] >= 0) entries.Add(Tuple.Create(i, _freeIndex[j], v));
        return SparseMatrix.OfIndexed(Sheaf.EdgeDimension, FreeCoordinates.Count, entries);
    }

    /// <summary>L_free = δ_Ωᵀ δ_Ω (dense; for diagnostics and small systems), from δ_Ω's non-zeros (<see cref="Gram"/>).</summary>
    public Matrix<double> FreeLaplacian(MaskPattern masks) => Gram.TransposeTimesSelf(FreeCoboundary(masks));
}

/// <summary>Conversions between MathNet storage kinds.</summary>
internal static class MatrixExtensions
{
    /// <summary>A dense copy of a sparse matrix.</summary>
    public static DenseMatrix ToDenseMatrix(this SparseMatrix sparse) => DenseMatrix.OfMatrix(sparse);
}
