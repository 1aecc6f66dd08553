# One function per BPF object, in the spirit of libbpf-bootstrap's FindBpfObject:
#   srv6s_bpf_object(NAME SOURCE HEADERS...)
# compiles SOURCE (CO-RE, against vmlinux.h generated from the running kernel's
# BTF) into ${NAME}.bpf.o, generates ${NAME}.skel.h with bpftool, and defines the
# INTERFACE target ${NAME}_skel that puts the skeleton on the include path.

find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)

# __TARGET_ARCH_<arch> tells libbpf's bpf_tracing.h how to read registers of
# the target's pt_regs (CO-RE); the names are the kernel's ARCH values.
set(SRV6S_BPF_TARGET_ARCH "" CACHE STRING
    "BPF target arch (x86, arm64, arm, powerpc, s390, riscv, loongarch, mips); empty: from CMAKE_SYSTEM_PROCESSOR")
if(SRV6S_BPF_TARGET_ARCH)
  set(SRV6S_BPF_ARCH ${SRV6S_BPF_TARGET_ARCH})
else()
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _srv6s_cpu)
  if(_srv6s_cpu MATCHES "^(x86_64|amd64|i[3-6]86|x86)$")
    set(SRV6S_BPF_ARCH x86)
  elseif(_srv6s_cpu MATCHES "^(aarch64|arm64)")
    set(SRV6S_BPF_ARCH arm64)
  elseif(_srv6s_cpu MATCHES "^arm")
    set(SRV6S_BPF_ARCH arm)
  elseif(_srv6s_cpu MATCHES "^(ppc|powerpc)")
    set(SRV6S_BPF_ARCH powerpc)
  elseif(_srv6s_cpu MATCHES "^s390")
    set(SRV6S_BPF_ARCH s390)
  elseif(_srv6s_cpu MATCHES "^riscv")
    set(SRV6S_BPF_ARCH riscv)
  elseif(_srv6s_cpu MATCHES "^loongarch")
    set(SRV6S_BPF_ARCH loongarch)
  elseif(_srv6s_cpu MATCHES "^mips")
    set(SRV6S_BPF_ARCH mips)
  else()
    message(FATAL_ERROR "srv6steer: no BPF target arch known for CMAKE_SYSTEM_PROCESSOR "
                        "\"${CMAKE_SYSTEM_PROCESSOR}\"; set -DSRV6S_BPF_TARGET_ARCH=<the kernel's "
                        "ARCH name, e.g. x86 or arm64>")
  endif()
endif()
set(SRV6S_BPF_WARNINGS -Wall -Wno-unused-function)
if(SRV6S_WERROR)
  list(APPEND SRV6S_BPF_WARNINGS -Werror)
endif()

find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(SRV6S_VMLINUX_DIR ${CMAKE_BINARY_DIR}/vmlinux)
set(SRV6S_VMLINUX_H ${SRV6S_VMLINUX_DIR}/vmlinux.h)
set(SRV6S_KERNEL_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "kernel BTF for vmlinux.h")

add_custom_command(
  OUTPUT ${SRV6S_VMLINUX_H}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SRV6S_VMLINUX_DIR}
  COMMAND ${BPFTOOL} btf dump file ${SRV6S_KERNEL_BTF} format c > ${SRV6S_VMLINUX_H}.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${SRV6S_VMLINUX_H}.tmp ${SRV6S_VMLINUX_H}
  COMMENT "vmlinux.h from ${SRV6S_KERNEL_BTF}"
  VERBATIM)
add_custom_target(srv6s_vmlinux DEPENDS ${SRV6S_VMLINUX_H})

function(srv6s_bpf_object name source)
  set(headers ${ARGN})
  get_filename_component(src_abs ${source} ABSOLUTE)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  set(skel_dir ${CMAKE_CURRENT_BINARY_DIR}/skel)
  set(skel ${skel_dir}/${name}.skel.h)

  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${SRV6S_BPF_ARCH}
            ${SRV6S_BPF_WARNINGS}
            -I${SRV6S_VMLINUX_DIR} -I${PROJECT_SOURCE_DIR}/include
            -I${CMAKE_CURRENT_SOURCE_DIR}
            -c ${src_abs} -o ${obj}
    DEPENDS ${src_abs} ${headers}
    COMMENT "BPF ${name}.bpf.o"
    VERBATIM)

  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${skel_dir}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}.skel.h"
    VERBATIM)

  add_custom_target(${name}_skel_gen DEPENDS ${skel} ${obj})
  add_dependencies(${name}_skel_gen srv6s_vmlinux)
  add_library(${name}_skel INTERFACE)
  target_include_directories(${name}_skel INTERFACE ${skel_dir})
  add_dependencies(${name}_skel ${name}_skel_gen)
  set_property(TARGET ${name}_skel PROPERTY BPF_OBJECT ${obj})
endfunction()
