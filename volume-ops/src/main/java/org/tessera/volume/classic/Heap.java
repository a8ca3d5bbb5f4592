package org.tessera.volume.classic;

import java.util.Arrays;

/**
 * A binary min-heap of voxel indices keyed by a value, ties going to the earlier push (first in, first out
 * among equals): the priority queue of flooding algorithms, without boxing every voxel.
 */
final class Heap {

    private double[] keys = new double[1024];
    private long[] ages = new long[1024];
    private int[] items = new int[1024];
    private int size;
    private long pushes;

    boolean isEmpty() { return size == 0; }

    /** Pushes with the next age: among equal keys, earlier pushes come out first. */
    void push(double key, int item) {
        push(key, pushes++, item);
    }

    void push(double key, long age, int item) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            ages = Arrays.copyOf(ages, size * 2);
            items = Arrays.copyOf(items, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(key, age, keys[parent], ages[parent]))
                break;
            move(parent, i);
            i = parent;
        }
        set(i, key, age, item);
    }

    double peekKey() { return keys[0]; }

    /** Removes the smallest entry and returns its item. */
    int pop() {
        int top = items[0];
        size--;
        if (size > 0) {
            double key = keys[size];
            long age = ages[size];
            int item = items[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size)
                    break;
                if (child + 1 < size && less(keys[child + 1], ages[child + 1], keys[child], ages[child]))
                    child++;
                if (!less(keys[child], ages[child], key, age))
                    break;
                move(child, i);
                i = child;
            }
            set(i, key, age, item);
        }
        return top;
    }

    private void move(int from, int to) {
        set(to, keys[from], ages[from], items[from]);
    }

    private void set(int i, double key, long age, int item) {
        keys[i] = key;
        ages[i] = age;
        items[i] = item;
    }

    private static boolean less(double k1, long a1, double k2, long a2) {
        return k1 < k2 || (k1 == k2 && a1 < a2);
    }
}
