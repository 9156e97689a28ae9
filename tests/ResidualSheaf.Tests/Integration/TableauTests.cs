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
}
