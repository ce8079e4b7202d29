using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Hotline.TestSupport.Architecture;

/// <summary>A type as the metadata names it: namespace, name (outermost type for nested ones) and its assembly.</summary>
public readonly record struct TypeName(string Namespace, string Name, string Assembly)
{
    public override string ToString() => Namespace.Length == 0 ? Name : Namespace + "." + Name;
}

/// <summary>One use of a type by a type defined in the assembly read: <c>From → To</c>.</summary>
public readonly record struct TypeDependency(TypeName From, TypeName To)
{
    public override string ToString() => $"{From} → {To} ({To.Assembly})";
}

/// <summary>
/// Every type → type dependency of a built assembly, read from its metadata and IL with System.Reflection.Metadata
/// (no loading, no third-party reader): base types, interfaces, generic constraints, fields, method and property
/// signatures, locals, attributes, and every type, method and field token in method bodies. Nested and
/// compiler-generated types (lambdas, async state machines) count as their outermost declaring type, so a closure's
/// use is its method's use.
/// </summary>
public sealed class TypeDependencies
{
    public required string Assembly { get; init; }

    /// <summary>The assembly names this one references (its AssemblyRef table).</summary>
    public required IReadOnlyList<string> References { get; init; }

    /// <summary>Every outermost type defined in the assembly.</summary>
    public required IReadOnlyList<TypeName> Types { get; init; }

    /// <summary>Distinct dependencies between different types.</summary>
    public required IReadOnlyList<TypeDependency> Edges { get; init; }

    /// <summary>Static fields that are not <c>readonly</c> and not <c>const</c>, as "Type.field" (compiler-generated ones excluded).</summary>
    public required IReadOnlyList<string> MutableStaticFields { get; init; }

    public static TypeDependencies Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var self = md.GetString(md.GetAssemblyDefinition().Name);
        var reader = new Reader(md, pe, self);
        var types = new List<TypeName>();
        var statics = new List<string>();
        foreach (var handle in md.TypeDefinitions)
        {
            var def = md.GetTypeDefinition(handle);
            if (def.GetDeclaringType().IsNil && md.GetString(def.Name) != "<Module>") types.Add(reader.Name(handle));
            reader.Collect(handle, def);
            foreach (var f in def.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                var a = field.Attributes;
                var name = md.GetString(field.Name);
                if ((a & System.Reflection.FieldAttributes.Static) != 0 && (a & (System.Reflection.FieldAttributes.InitOnly | System.Reflection.FieldAttributes.Literal)) == 0
                    && !name.Contains('<') && !IsCompilerGenerated(md, def))
                    statics.Add(reader.Name(handle) + "." + name);
            }
        }
        return new TypeDependencies
        {
            Assembly = self,
            References = md.AssemblyReferences.Select(r => md.GetString(md.GetAssemblyReference(r).Name)).Order(StringComparer.Ordinal).ToList(),
            Types = types,
            Edges = reader.Edges.ToList(),
            MutableStaticFields = statics,
        };
    }

    private static bool IsCompilerGenerated(MetadataReader md, TypeDefinition def)
    {
        for (var d = def; ; d = md.GetTypeDefinition(d.GetDeclaringType()))
        {
            if (md.GetString(d.Name).Contains('<')) return true;
            if (d.GetDeclaringType().IsNil) return false;
        }
    }

    /// <summary>Walks one assembly's metadata; collects edges from the type being walked.</summary>
    private sealed class Reader(MetadataReader md, PEReader pe, string self) : ISignatureTypeProvider<IReadOnlyList<TypeName>, object?>
    {
        private static readonly IReadOnlyList<TypeName> None = [];
        private static readonly Dictionary<ushort, OperandType> OpCodeOperands = OpCodeTable();
        private TypeName _from;

        public HashSet<TypeDependency> Edges { get; } = [];

        public TypeName Name(TypeDefinitionHandle handle)
        {
            var def = md.GetTypeDefinition(handle);
            while (!def.GetDeclaringType().IsNil) def = md.GetTypeDefinition(def.GetDeclaringType());
            return new TypeName(md.GetString(def.Namespace), md.GetString(def.Name), self);
        }

        private TypeName Name(TypeReferenceHandle handle)
        {
            var r = md.GetTypeReference(handle);
            while (r.ResolutionScope.Kind == HandleKind.TypeReference) r = md.GetTypeReference((TypeReferenceHandle)r.ResolutionScope);
            var assembly = r.ResolutionScope.Kind == HandleKind.AssemblyReference
                ? md.GetString(md.GetAssemblyReference((AssemblyReferenceHandle)r.ResolutionScope).Name)
                : self;
            return new TypeName(md.GetString(r.Namespace), md.GetString(r.Name), assembly);
        }

        public void Collect(TypeDefinitionHandle handle, TypeDefinition def)
        {
            _from = Name(handle);
            if (!def.BaseType.IsNil) AddType(def.BaseType);
            foreach (var i in def.GetInterfaceImplementations()) AddType(md.GetInterfaceImplementation(i).Interface);
            AddGenericParameters(def.GetGenericParameters());
            AddAttributes(def.GetCustomAttributes());
            foreach (var f in def.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                Add(field.DecodeSignature(this, null));
                AddAttributes(field.GetCustomAttributes());
            }
            foreach (var p in def.GetProperties())
            {
                var property = md.GetPropertyDefinition(p);
                Add(property.DecodeSignature(this, null));
                AddAttributes(property.GetCustomAttributes());
            }
            foreach (var e in def.GetEvents()) AddType(md.GetEventDefinition(e).Type);
            foreach (var m in def.GetMethods()) CollectMethod(md.GetMethodDefinition(m));
        }

        private void CollectMethod(MethodDefinition method)
        {
            Add(method.DecodeSignature(this, null));
            AddGenericParameters(method.GetGenericParameters());
            AddAttributes(method.GetCustomAttributes());
            foreach (var p in method.GetParameters()) AddAttributes(md.GetParameter(p).GetCustomAttributes());
            if (method.RelativeVirtualAddress == 0) return;
            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
                foreach (var local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null)) Add(local);
            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                ushort code = il.ReadByte();
                if (code == 0xFE) code = (ushort)(0xFE00 | il.ReadByte());
                switch (OpCodeOperands[code])
                {
                    case OperandType.InlineNone: break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: il.Offset += 1; break;
                    case OperandType.InlineVar: il.Offset += 2; break;
                    case OperandType.InlineI8 or OperandType.InlineR: il.Offset += 8; break;
                    case OperandType.InlineSwitch: var targets = il.ReadInt32(); il.Offset += 4 * targets; break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        AddToken(MetadataTokens.EntityHandle(il.ReadInt32())); break;
                    default: il.Offset += 4; break;   // InlineI, InlineBrTarget, InlineString, InlineSig, ShortInlineR
                }
            }
        }

        private void AddToken(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification: AddType(handle); break;
                case HandleKind.MethodDefinition: AddType(md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType()); break;
                case HandleKind.FieldDefinition: AddType(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType()); break;
                case HandleKind.MethodSpecification:
                    var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    foreach (var t in spec.DecodeSignature(this, null)) Add(t);
                    AddToken(spec.Method);
                    break;
                case HandleKind.MemberReference:
                    var member = md.GetMemberReference((MemberReferenceHandle)handle);
                    if (member.Parent.Kind is HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification) AddType(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method) Add(member.DecodeMethodSignature(this, null));
                    else Add(member.DecodeFieldSignature(this, null));
                    break;
            }
        }

        private void AddAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes) AddToken(md.GetCustomAttribute(a).Constructor);
        }

        private void AddGenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var p in parameters)
                foreach (var c in md.GetGenericParameter(p).GetConstraints()) AddType(md.GetGenericParameterConstraint(c).Type);
        }

        private void AddType(EntityHandle handle) => Add(handle.Kind switch
        {
            HandleKind.TypeDefinition => [Name((TypeDefinitionHandle)handle)],
            HandleKind.TypeReference => [Name((TypeReferenceHandle)handle)],
            HandleKind.TypeSpecification => md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null),
            _ => None,
        });

        private void Add(MethodSignature<IReadOnlyList<TypeName>> signature)
        {
            Add(signature.ReturnType);
            foreach (var p in signature.ParameterTypes) Add(p);
        }

        private void Add(IReadOnlyList<TypeName> types)
        {
            foreach (var t in types)
                if (t != _from) Edges.Add(new TypeDependency(_from, t));
        }

        // ISignatureTypeProvider: a signature becomes the list of named types it mentions.
        public IReadOnlyList<TypeName> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public IReadOnlyList<TypeName> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [Name(handle)];
        public IReadOnlyList<TypeName> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [Name(handle)];
        public IReadOnlyList<TypeName> GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            md.GetTypeSpecification(handle).DecodeSignature(this, context);
        public IReadOnlyList<TypeName> GetSZArrayType(IReadOnlyList<TypeName> elementType) => elementType;
        public IReadOnlyList<TypeName> GetArrayType(IReadOnlyList<TypeName> elementType, ArrayShape shape) => elementType;
        public IReadOnlyList<TypeName> GetByReferenceType(IReadOnlyList<TypeName> elementType) => elementType;
        public IReadOnlyList<TypeName> GetPointerType(IReadOnlyList<TypeName> elementType) => elementType;
        public IReadOnlyList<TypeName> GetPinnedType(IReadOnlyList<TypeName> elementType) => elementType;
        public IReadOnlyList<TypeName> GetGenericInstantiation(IReadOnlyList<TypeName> genericType, System.Collections.Immutable.ImmutableArray<IReadOnlyList<TypeName>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];
        public IReadOnlyList<TypeName> GetGenericMethodParameter(object? context, int index) => None;
        public IReadOnlyList<TypeName> GetGenericTypeParameter(object? context, int index) => None;
        public IReadOnlyList<TypeName> GetModifiedType(IReadOnlyList<TypeName> modifier, IReadOnlyList<TypeName> unmodifiedType, bool isRequired) => unmodifiedType;
        public IReadOnlyList<TypeName> GetFunctionPointerType(MethodSignature<IReadOnlyList<TypeName>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];

        private enum OperandType { InlineNone, ShortInlineBrTarget, ShortInlineI, ShortInlineVar, InlineVar, InlineI8, InlineR, InlineSwitch, InlineField, InlineMethod, InlineTok, InlineType, Other }

        /// <summary>Operand kind of every IL opcode (ECMA-335 Partition III), from the BCL's own opcode table.</summary>
        private static Dictionary<ushort, OperandType> OpCodeTable()
        {
            var table = new Dictionary<ushort, OperandType>();
            foreach (var f in typeof(System.Reflection.Emit.OpCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            {
                var op = (System.Reflection.Emit.OpCode)f.GetValue(null)!;
                table[(ushort)op.Value] = op.OperandType switch
                {
                    System.Reflection.Emit.OperandType.InlineNone => OperandType.InlineNone,
                    System.Reflection.Emit.OperandType.ShortInlineBrTarget => OperandType.ShortInlineBrTarget,
                    System.Reflection.Emit.OperandType.ShortInlineI => OperandType.ShortInlineI,
                    System.Reflection.Emit.OperandType.ShortInlineVar => OperandType.ShortInlineVar,
                    System.Reflection.Emit.OperandType.InlineVar => OperandType.InlineVar,
                    System.Reflection.Emit.OperandType.InlineI8 => OperandType.InlineI8,
                    System.Reflection.Emit.OperandType.InlineR => OperandType.InlineR,
                    System.Reflection.Emit.OperandType.InlineSwitch => OperandType.InlineSwitch,
                    System.Reflection.Emit.OperandType.InlineField => OperandType.InlineField,
                    System.Reflection.Emit.OperandType.InlineMethod => OperandType.InlineMethod,
                    System.Reflection.Emit.OperandType.InlineTok => OperandType.InlineTok,
                    System.Reflection.Emit.OperandType.InlineType => OperandType.InlineType,
                    _ => OperandType.Other,
                };
            }
            return table;
        }
    }
}
