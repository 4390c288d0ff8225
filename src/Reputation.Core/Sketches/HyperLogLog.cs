using System.IO.Hashing;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Reputation.Core.Sketches;

/// <summary>
/// HyperLogLog distinct counter (Flajolet et al. 2007) over 64-bit xxHash, with linear counting
/// for small cardinalities. State is one byte per register: 2^precision bytes whatever the input,
/// so an IP range with a million accounts costs what one with ten does. Standard error is
/// about 1.04 / sqrt(2^precision): 3.25 % at the default precision of 10 (1 KiB).
/// <para>
/// A sketch opened with <see cref="Wrap(byte[], int)"/> may also be kept sparse while few registers
/// are set (an entity with a handful of accounts): three bytes per register that is not zero — its
/// index, high byte first, and its value — in index order, and nothing for the zeros. It answers
/// every <see cref="Add"/> and <see cref="Estimate"/> exactly as the same registers held in full
/// (the estimate sums them in the same order), and turns into the full array once that is no larger.
/// A sparse array's length is a multiple of three, a full one's a power of two: never both.
/// </para>
/// </summary>
public sealed class HyperLogLog
{
    public const int DefaultPrecision = 10;
    public const int MinPrecision = 4;
    public const int MaxPrecision = 16;

    /// <summary>Bytes per register in the sparse form.</summary>
    private const int SparseEntry = 3;

    /// <summary>The registers in full, or sparse while <see cref="_sparse"/>.</summary>
    private byte[] _registers;
    private bool _sparse;
    private readonly int _precision;

    /// <summary>The last estimate, until a register changes: entities answer their count with every signal.</summary>
    private long _estimate = -1;

    public HyperLogLog(int precision = DefaultPrecision)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, MinPrecision);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, MaxPrecision);
        _precision = precision;
        _registers = new byte[1 << precision];
    }

    private HyperLogLog(byte[] registers, int precision)
    {
        _registers = registers;
        _precision = precision;
    }

    /// <summary>
    /// The registers; persisted as they are. <see cref="Wrap(byte[])"/> takes them back without copying.
    /// A sparse sketch answers a new array whenever an add sets a register that was zero (and the
    /// full array once it turns full): whoever persists it takes it again after each add.
    /// </summary>
    public byte[] Registers => _registers;

    /// <summary>Whether the registers are held sparse (<see cref="Wrap(byte[], int)"/>).</summary>
    public bool IsSparse => _sparse;

    public int Precision => _precision;

    /// <summary>
    /// Wraps persisted registers (not copied: adds write through to the array). While wrapped, change
    /// the array only through this instance: the estimate is cached until a register changes.
    /// </summary>
    public static HyperLogLog Wrap(byte[] registers)
    {
        ArgumentNullException.ThrowIfNull(registers);
        var precision = BitOperations.Log2((uint)registers.Length);
        if (registers.Length != 1 << precision || precision is < MinPrecision or > MaxPrecision)
        {
            throw new ArgumentException("Register count must be a power of two between 2^4 and 2^16.", nameof(registers));
        }

        return new HyperLogLog(registers, precision);
    }

    /// <summary>
    /// Wraps persisted registers of a sketch of <paramref name="precision"/>, held in full
    /// (2^precision bytes, as <see cref="Wrap(byte[])"/>) or sparse (a multiple of three bytes; an
    /// empty array is a new sketch): a sparse sketch stays sparse while that is smaller than in full.
    /// </summary>
    public static HyperLogLog Wrap(byte[] registers, int precision)
    {
        ArgumentNullException.ThrowIfNull(registers);
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, MinPrecision);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, MaxPrecision);
        if (registers.Length == 1 << precision)
        {
            return new HyperLogLog(registers, precision);
        }

        if (registers.Length % SparseEntry != 0 || registers.Length >= 1 << precision)
        {
            throw new ArgumentException($"Registers must be 2^{precision} bytes, or fewer in three-byte sparse entries.", nameof(registers));
        }

        return new HyperLogLog(registers, precision) { _sparse = true };
    }

    /// <summary>Adds an item; true when a register changed (the estimate may have moved).</summary>
    public bool Add(string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Span<byte> buffer = item.Length <= 128 ? stackalloc byte[item.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(item.Length)];
        var written = Encoding.UTF8.GetBytes(item, buffer);
        return AddHash(XxHash64.HashToUInt64(buffer[..written]));
    }

    /// <summary>Adds a pre-computed 64-bit hash; true when a register changed.</summary>
    public bool AddHash(ulong hash)
    {
        var index = (int)(hash >> (64 - _precision));
        // Rank: position of the first 1 bit in the remaining 64 - p bits, from 1.
        var rest = (hash << _precision) | (1UL << (_precision - 1));
        var rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        if (_sparse)
        {
            return AddSparse(index, rank);
        }

        if (rank <= _registers[index])
        {
            return false;
        }

        _registers[index] = rank;
        _estimate = -1;
        return true;
    }

    private bool AddSparse(int index, byte rank)
    {
        var at = FindSparse(index);
        if (at >= 0)
        {
            if (rank <= _registers[at + 2])
            {
                return false;
            }

            _registers[at + 2] = rank;
        }
        else if (_registers.Length + SparseEntry >= 1 << _precision)
        {
            // Sparse would be no smaller than in full from here on.
            _registers = Full();
            _sparse = false;
            _registers[index] = rank;
        }
        else
        {
            var insert = ~at;
            var grown = new byte[_registers.Length + SparseEntry];
            _registers.AsSpan(0, insert).CopyTo(grown);
            grown[insert] = (byte)(index >> 8);
            grown[insert + 1] = (byte)index;
            grown[insert + 2] = rank;
            _registers.AsSpan(insert).CopyTo(grown.AsSpan(insert + SparseEntry));
            _registers = grown;
        }

        _estimate = -1;
        return true;
    }

    /// <summary>The byte offset of <paramref name="index"/>'s sparse entry, or the complement of where it would go.</summary>
    private int FindSparse(int index)
    {
        int low = 0, high = (_registers.Length / SparseEntry) - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var at = mid * SparseEntry;
            var found = (_registers[at] << 8) | _registers[at + 1];
            if (found == index)
            {
                return at;
            }

            if (found < index)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return ~(low * SparseEntry);
    }

    /// <summary>The registers in full (a new array when sparse).</summary>
    private byte[] Full()
    {
        if (!_sparse)
        {
            return _registers;
        }

        var full = new byte[1 << _precision];
        for (var at = 0; at < _registers.Length; at += SparseEntry)
        {
            full[(_registers[at] << 8) | _registers[at + 1]] = _registers[at + 2];
        }

        return full;
    }

    public long Estimate()
    {
        if (_estimate < 0)
        {
            _estimate = Compute();
        }

        return _estimate;
    }

    private long Compute()
    {
        var m = 1 << _precision;
        double sum = 0;
        var zeros = 0;
        // Register by register in index order, sparse or not, so both sum to the same bits.
        var next = 0;
        for (var i = 0; i < m; i++)
        {
            byte register;
            if (!_sparse)
            {
                register = _registers[i];
            }
            else if (next < _registers.Length && ((_registers[next] << 8) | _registers[next + 1]) == i)
            {
                register = _registers[next + 2];
                next += SparseEntry;
            }
            else
            {
                register = 0;
            }

            sum += 1.0 / (1UL << register);
            if (register == 0)
            {
                zeros++;
            }
        }

        var alpha = m switch
        {
            16 => 0.673,
            32 => 0.697,
            64 => 0.709,
            _ => 0.7213 / (1 + (1.079 / m)),
        };
        var estimate = alpha * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0)
        {
            estimate = m * Math.Log((double)m / zeros);
        }

        return (long)Math.Round(estimate);
    }

    /// <summary>Folds another sketch of the same precision into this one (set union).</summary>
    public void Merge(HyperLogLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._precision != _precision)
        {
            throw new ArgumentException("Precisions differ.", nameof(other));
        }

        _registers = Full();
        _sparse = false;
        var theirs = other.Full();
        var mine = MemoryMarshal.CreateSpan(ref _registers[0], _registers.Length);
        for (var i = 0; i < mine.Length; i++)
        {
            mine[i] = Math.Max(mine[i], theirs[i]);
        }

        _estimate = -1;
    }
}
