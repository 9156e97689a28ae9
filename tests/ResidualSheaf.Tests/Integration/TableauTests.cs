using ResidualSheaf.Engine.Integration;

namespace ResidualSheaf.Tests.Integration;

public class TableauTests
{
    private static void CheckRowSums(double[] c, double[][] a, int rows)
    {
        for (int s = 0; s < rows; s++)
        {
            Assert.Equal(c[s], a[s].Sum(), 1e-14);
        }
    }

    private static double Quad(double[] b, double[] c, int k) => b.Select((bi, i) => bi * Math.Pow(c[i], k)).Sum();

    /// <summary>Σ_i b_i Σ_j a_ij c_j^k (the tall-tree conditions of order k+2).</summary>
    private static double BAc(double[] b, double[][] a, double[] c, int k)
    {
        double s = 0;
        for (int i = 0; i < b.Length; i++)
        {
            for (int j = 0; j < a[i].Length; j++)
            {
                s += b[i] * a[i][j] * Math.Pow(c[j], k);
            }
        }

        return s;
    }

    [Fact]
    public void BogackiShampineIsConsistentAndThirdOrder()
    {
        CheckRowSums(BogackiShampine32.C, BogackiShampine32.A, 3);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(1.0 / (k + 1), Quad(BogackiShampine32.B, BogackiShampine32.C, k), 1e-15);
        }

        Assert.Equal(1.0 / 6, BAc(BogackiShampine32.B, BogackiShampine32.A, BogackiShampine32.C, 1), 1e-15);
        Assert.Equal(0, BogackiShampine32.E.Sum(), 1e-15);
    }

    [Fact]
    public void DormandPrinceIsConsistentAndFifthOrder()
    {
        double[] c = DormandPrince54.C, b = DormandPrince54.B;
        CheckRowSums(c, DormandPrince54.A, 6);
        for (int k = 0; k < 5; k++)
        {
            Assert.Equal(1.0 / (k + 1), Quad(b, c, k), 1e-15);
        }

        Assert.Equal(1.0 / 6, BAc(b, DormandPrince54.A, c, 1), 1e-15);
        Assert.Equal(1.0 / 12, BAc(b, DormandPrince54.A, c, 2), 1e-15);
        Assert.Equal(1.0 / 20, BAc(b, DormandPrince54.A, c, 3), 1e-15);
        // The error weights (b − b̂ over 7 stages, c7 = 1) annihilate polynomials up to degree 3.
        double[] c7 = [.. c, 1.0];
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(0, Quad(DormandPrince54.E, c7, k), 1e-15);
        }

        // Dense output at θ = 1 reproduces y1: Σ d_j = 0 is implied by the Hermite form; check the continuous weights b(θ=1/2) sum to 1/2.
        Assert.Equal(0, DormandPrince54.D.Sum(), 1e-12);
    }

    [Fact]
    public void Dop853IsConsistentAndEighthOrderOnQuadrature()
    {
        double[] c = Dop853Coefficients.C;
        double[][] a = Dop853Coefficients.A;
        CheckRowSums(c, a, 16);
        double[] b = Dop853Coefficients.B;
        double[] c12 = c[..12];
        for (int k = 0; k < 8; k++)
        {
            Assert.Equal(1.0 / (k + 1), Quad(b, c12, k), 1e-14);
        }

        double[][] a12 = a[..12];
        for (int k = 1; k < 7; k++)
        {
            // Σ b_i a_ij c_j^k = 1/((k+1)(k+2)).
            Assert.Equal(1.0 / ((k + 1) * (k + 2)), BAc(b, a12, c12, k), 1e-13);
        }

        // The 5th-order and 3rd-order error estimators vanish on polynomials of degree ≤ 4 and ≤ 2.
        for (int k = 0; k < 5; k++)
        {
            Assert.Equal(0, Quad(Dop853Coefficients.E5, c12, k), 1e-13);
        }

        double[] e3 = b.Select((bi, i) => bi - Dop853Coefficients.Bhh[i]).ToArray();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(0, Quad(e3, c12, k), 1e-13);
        }
    }

    [Fact]
    public void Rodas4StageTimesMatchTransformedCoefficients()
    {
        // α_21 = a_21 γ in Hairer's transformed variables; the last two stages sit at t + h.
        Assert.Equal(Rodas4.C2, Rodas4.A21 * Rodas4.Gamma, 1e-15);
        Assert.Equal(Rodas4.D1, Rodas4.Gamma, 1e-15);
    }
    /// <summary>
    /// Rodas4 in Hairer's transformed variables u = Γ k: Γ⁻¹ = diag(1/γ) − C, α = A Γ, weights b = Γᵀ m with m = (a51..a54, 1, 1)
    /// (the embedded solution has m̂ = (a51..a54, 1, 0)). Checks the Rosenbrock order conditions (HW II, Table 7.1).
    /// </summary>
    [Fact]
    public void Rodas4SatisfiesRosenbrockOrderConditions()
    {
        const int s = 6;
        double g = Rodas4.Gamma;
        var c = new double[s, s];
        c[1, 0] = Rodas4.C21;
        c[2, 0] = Rodas4.C31;
        c[2, 1] = Rodas4.C32;
        c[3, 0] = Rodas4.C41;
        c[3, 1] = Rodas4.C42;
        c[3, 2] = Rodas4.C43;
        c[4, 0] = Rodas4.C51;
        c[4, 1] = Rodas4.C52;
        c[4, 2] = Rodas4.C53;
        c[4, 3] = Rodas4.C54;
        c[5, 0] = Rodas4.C61;
        c[5, 1] = Rodas4.C62;
        c[5, 2] = Rodas4.C63;
        c[5, 3] = Rodas4.C64;
        c[5, 4] = Rodas4.C65;
        var a = new double[s, s];
        a[1, 0] = Rodas4.A21;
        a[2, 0] = Rodas4.A31;
        a[2, 1] = Rodas4.A32;
        a[3, 0] = Rodas4.A41;
        a[3, 1] = Rodas4.A42;
        a[3, 2] = Rodas4.A43;
        double[] a5 = [Rodas4.A51, Rodas4.A52, Rodas4.A53, Rodas4.A54];
        for (int j = 0; j < 4; j++)
        {
            a[4, j] = a5[j];
            a[5, j] = a5[j];
        }

        a[5, 4] = 1;

        // Γ⁻¹ (lower triangular), then Γ by forward substitution.
        var gInv = new double[s, s];
        for (int i = 0; i < s; i++)
        {
            gInv[i, i] = 1 / g;
            for (int j = 0; j < i; j++)
            {
                gInv[i, j] = -c[i, j];
            }
        }

        var gamma = new double[s, s];
        for (int col = 0; col < s; col++)
        {
            for (int i = 0; i < s; i++)
            {
                double rhs = i == col ? 1 : 0;
                for (int j = 0; j < i; j++)
                {
                    rhs -= gInv[i, j] * gamma[j, col];
                }

                gamma[i, col] = rhs / gInv[i, i];
            }
        }

        var alpha = new double[s, s];
        for (int i = 0; i < s; i++)
        {
            for (int j = 0; j < s; j++)
            {
                for (int k = 0; k < s; k++)
                {
                    alpha[i, j] += a[i, k] * gamma[k, j];
                }
            }
        }

        double[] Weights(double[] m)
        {
            var b = new double[s];
            for (int j = 0; j < s; j++)
            {
                for (int i = 0; i < s; i++)
                {
                    b[j] += gamma[i, j] * m[i];
                }
            }

            return b;
        }

        double[] b4 = Weights([.. a5, 1, 1]);
        double[] b3 = Weights([.. a5, 1, 0]);

        // α_i and the off-diagonal β_ij = α_ij + γ_ij, β'_i = Σ_{j<i} β_ij.
        var ai = new double[s];
        var beta = new double[s, s];
        var bp = new double[s];
        for (int i = 0; i < s; i++)
        {
            for (int j = 0; j < i; j++)
            {
                ai[i] += alpha[i, j];
                beta[i, j] = alpha[i, j] + gamma[i, j];
                bp[i] += beta[i, j];
            }
        }

        Assert.Equal(Rodas4.C2, ai[1], 1e-13);
        Assert.Equal(Rodas4.C3, ai[2], 1e-13);
        Assert.Equal(Rodas4.C4, ai[3], 1e-13);
        Assert.Equal(1.0, ai[4], 1e-13);
        Assert.Equal(1.0, ai[5], 1e-13);

        // γ_i = Σ_j γ_ij (incl. diagonal) is the ∂f/∂t coefficient d_i.
        double[] d = [Rodas4.D1, Rodas4.D2, Rodas4.D3, Rodas4.D4];
        for (int i = 0; i < 4; i++)
        {
            double gi = 0;
            for (int j = 0; j <= i; j++)
            {
                gi += gamma[i, j];
            }

            Assert.Equal(d[i], gi, 1e-12);
        }

        double Sum(Func<int, double> f) => Enumerable.Range(0, s).Sum(f);
        void CheckOrder(double[] b, int order)
        {
            Assert.Equal(1.0, Sum(i => b[i]), 1e-12);
            Assert.Equal(0.5 - g, Sum(i => b[i] * bp[i]), 1e-12);
            Assert.Equal(1.0 / 3, Sum(i => b[i] * ai[i] * ai[i]), 1e-12);
            Assert.Equal((1.0 / 6) - g + (g * g), Sum(i => b[i] * Sum(k => beta[i, k] * bp[k])), 1e-12);
            if (order < 4)
            {
                return;
            }

            Assert.Equal(0.25, Sum(i => b[i] * ai[i] * ai[i] * ai[i]), 1e-12);
            Assert.Equal((1.0 / 8) - (g / 3), Sum(i => b[i] * ai[i] * Sum(k => alpha[i, k] * bp[k])), 1e-12);
            Assert.Equal((1.0 / 12) - (g / 3), Sum(i => b[i] * Sum(k => beta[i, k] * ai[k] * ai[k])), 1e-12);
            Assert.Equal((1.0 / 24) - (g / 2) + (1.5 * g * g) - (g * g * g), Sum(i => b[i] * Sum(k => beta[i, k] * Sum(l => beta[k, l] * bp[l]))), 1e-12);
        }

        CheckOrder(b4, 4);
        CheckOrder(b3, 3);
    }
}
