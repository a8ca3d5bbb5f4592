package org.tessera.volume.io;

import org.tessera.volume.Orientation;

/** Between an {@link Orientation} and what a NIfTI header stores of it: codes, quaternion and sform rows. */
final class NiftiOrientation {

    /**
     * The header's share of an orientation.
     *
     * @param quatern quatern_b, quatern_c, quatern_d, qoffset_x, qoffset_y, qoffset_z, then qfac (pixdim[0])
     * @param sform   the 4 x 4 sform, row by row; its first three rows are stored
     */
    record Stored(int qformCode, int sformCode, double[] quatern, double[] sform) {}

    private NiftiOrientation() {}

    /** The orientation a header describes, or null when both codes are 0. */
    static Orientation read(NiftiHeader h) {
        if (h.qformCode <= 0 && h.sformCode <= 0)
            return null;
        double[] q = h.qformCode > 0 ? qformMatrix(h.quatern, h.pixdim) : null;
        double[] s = null;
        if (h.sformCode > 0) {
            s = new double[16];
            System.arraycopy(h.srow, 0, s, 0, 12);
            s[15] = 1;
        }
        return new Orientation(Math.max(h.qformCode, 0), q, Math.max(h.sformCode, 0), s);
    }

    /**
     * What to store for a volume's orientation. The sform is written as given; the qform's rotation and offset
     * come from the orientation's qform. A volume without orientation gets, as ITK writes it, both codes 1 with the
     * scaled identity diag(zooms), so that every reader agrees on the geometry.
     */
    static Stored store(Orientation orientation, double[] zooms) {
        Orientation o = orientation != null ? orientation : scaledIdentity(zooms);
        double[] quatern = { 0, 0, 0, 0, 0, 0, 1 };
        if (o.qformCode() > 0 && o.qform() != null)
            quatern = quaternion(o.qform());
        double[] sform = o.sformCode() > 0 && o.sform() != null ? o.sform() : new double[16];
        return new Stored(o.qform() != null ? o.qformCode() : 0, o.sform() != null ? o.sformCode() : 0, quatern, sform);
    }

    private static Orientation scaledIdentity(double[] zooms) {
        double[] m = new double[16];
        m[0] = zooms[0];
        m[5] = zooms[1];
        m[10] = zooms[2];
        m[15] = 1;
        return new Orientation(1, m, 1, m);
    }

    /** The NIfTI-1 quaternion rule: rotation from (b, c, d), columns scaled by pixdim, z flipped when qfac < 0. */
    private static double[] qformMatrix(double[] quatern, double[] pixdim) {
        double b = quatern[0], c = quatern[1], d = quatern[2];
        double a2 = 1 - (b * b + c * c + d * d);
        double a;
        if (a2 < 1e-7) {
            double norm = Math.sqrt(b * b + c * c + d * d);
            b /= norm;
            c /= norm;
            d /= norm;
            a = 0;
        } else {
            a = Math.sqrt(a2);
        }
        double[][] r = {
                { a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c) },
                { 2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b) },
                { 2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b } };
        double qfac = pixdim[0] < 0 ? -1 : 1;
        double[] zoom = { Math.abs(pixdim[1]), Math.abs(pixdim[2]), qfac * Math.abs(pixdim[3]) };
        double[] m = new double[16];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++)
                m[4 * i + j] = r[i][j] * zoom[j] + 0.0; // no -0.0, so that Orientation.equals is stable
            m[4 * i + 3] = quatern[3 + i];
        }
        m[15] = 1;
        return m;
    }

    /** Quaternion (b, c, d), offsets and qfac of a qform: columns normalised to a rotation, flipped z when det < 0. */
    private static double[] quaternion(double[] m) {
        double[][] r = new double[3][3];
        for (int j = 0; j < 3; j++) {
            double norm = Math.sqrt(m[j] * m[j] + m[4 + j] * m[4 + j] + m[8 + j] * m[8 + j]);
            for (int i = 0; i < 3; i++)
                r[i][j] = norm > 0 ? m[4 * i + j] / norm : (i == j ? 1 : 0);
        }
        double det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
                + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
        double qfac = 1;
        if (det < 0) {
            qfac = -1;
            for (int i = 0; i < 3; i++)
                r[i][2] = -r[i][2];
        }
        double a = r[0][0] + r[1][1] + r[2][2] + 1, b, c, d;
        if (a > 0.5) {
            a = 0.5 * Math.sqrt(a);
            b = 0.25 * (r[2][1] - r[1][2]) / a;
            c = 0.25 * (r[0][2] - r[2][0]) / a;
            d = 0.25 * (r[1][0] - r[0][1]) / a;
        } else {
            double xd = 1 + r[0][0] - (r[1][1] + r[2][2]);
            double yd = 1 + r[1][1] - (r[0][0] + r[2][2]);
            double zd = 1 + r[2][2] - (r[0][0] + r[1][1]);
            if (xd > 1) {
                b = 0.5 * Math.sqrt(xd);
                c = 0.25 * (r[0][1] + r[1][0]) / b;
                d = 0.25 * (r[0][2] + r[2][0]) / b;
                a = 0.25 * (r[2][1] - r[1][2]) / b;
            } else if (yd > 1) {
                c = 0.5 * Math.sqrt(yd);
                b = 0.25 * (r[0][1] + r[1][0]) / c;
                d = 0.25 * (r[1][2] + r[2][1]) / c;
                a = 0.25 * (r[0][2] - r[2][0]) / c;
            } else {
                d = 0.5 * Math.sqrt(zd);
                b = 0.25 * (r[0][2] + r[2][0]) / d;
                c = 0.25 * (r[1][2] + r[2][1]) / d;
                a = 0.25 * (r[1][0] - r[0][1]) / d;
            }
            if (a < 0) { // the same rotation with a >= 0, which the file format assumes
                b = -b;
                c = -c;
                d = -d;
            }
        }
        return new double[] { b, c, d, m[3], m[7], m[11], qfac };
    }
}
