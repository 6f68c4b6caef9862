using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Serializers;
using Orleans.Serialization.WireProtocol;

namespace HazardGrid.Common;

/// <summary>
/// An immutable array that compares by its items, so that a record holding one gets value
/// equality from the compiler instead of a hand-written <c>Equals</c> (an <see cref="ImmutableArray{T}"/>
/// compares by reference). Serialized exactly as an <see cref="ImmutableArray{T}"/>
/// (<see cref="EquatableArrayCodec{T}"/>), so a member can change from one to the other and still
/// read what was stored before.
/// </summary>
[Immutable, Alias("hg.EquatableArray`1")]
[CollectionBuilder(typeof(EquatableArray), nameof(EquatableArray.Create))]
public readonly struct EquatableArray<T>(ImmutableArray<T> items) : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
{
    private readonly ImmutableArray<T> _items = items;

    public static EquatableArray<T> Empty => new([]);

    public ImmutableArray<T> Items => _items.IsDefault ? [] : _items;

    public int Count => Items.Length;

    public T this[int index] => Items[index];

    public bool Equals(EquatableArray<T> other) => Items.AsSpan().SequenceEqual(other.Items.AsSpan());

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", Items)}]";
}

public static class EquatableArray
{
    public static EquatableArray<T> Create<T>(ReadOnlySpan<T> items) => new([.. items]);
}

/// <summary>Writes and reads an <see cref="EquatableArray{T}"/> as the <see cref="ImmutableArray{T}"/>
/// it wraps: byte for byte what a member of that type stored (HazardFigures.BySector was one, and
/// figures are stored inside the answers that enterprises keep for retries).</summary>
[RegisterSerializer]
public sealed class EquatableArrayCodec<T>(ICodecProvider codecs) : IFieldCodec<EquatableArray<T>>
{
    private readonly IFieldCodec<ImmutableArray<T>> _items = codecs.GetCodec<ImmutableArray<T>>();

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, EquatableArray<T> value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte> =>
        _items.WriteField(ref writer, fieldIdDelta, typeof(ImmutableArray<T>), value.Items);

    public EquatableArray<T> ReadValue<TInput>(ref Reader<TInput> reader, Field field) => new(_items.ReadValue(ref reader, field));
}

/// <summary>Nothing to copy: the array and the struct are immutable.</summary>
[RegisterCopier]
public sealed class EquatableArrayCopier<T> : IDeepCopier<EquatableArray<T>>
{
    public EquatableArray<T> DeepCopy(EquatableArray<T> input, CopyContext context) => input;
}
